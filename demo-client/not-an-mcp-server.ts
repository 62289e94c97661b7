/**
 * A `--server` URL that answers, but not as an MCP endpoint does — a web
 * page, a JSON document that is not JSON-RPC — said as that, with the URL,
 * instead of the parser's complaint. The server's content type is quoted
 * as untrusted text; its body is never shown.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { ClientFailure } from './failures.ts';
import { quoteUntrusted, showUrl } from './plain-text.ts';

const ADVICE = 'is --server the MCP endpoint the resource server printed?';

/** The SDK's schema check of an incoming message failed (zod names its error so; the SDK bundles its own copy). */
const isSchemaFailure = (error: unknown) => error instanceof Error && error.name === 'ZodError';

/** The failure for an answer that is not MCP, or undefined when `error` is not about that. */
export function notAnMcpServer(server: URL, error: unknown): ClientFailure | undefined {
    if (error instanceof SdkError && error.code === SdkErrorCode.ClientHttpUnexpectedContent) {
        const contentType = (error.data as { contentType?: unknown } | undefined)?.contentType;
        const shown = typeof contentType === 'string' ? quoteUntrusted(contentType, 60) : 'no content type';
        return new ClientFailure(`${showUrl(server)} answered with ${shown}, not an MCP response (JSON or an event stream); ${ADVICE}`);
    }
    if (isSchemaFailure(error)) return new ClientFailure(`${showUrl(server)} answered with something that is not an MCP (JSON-RPC) message; ${ADVICE}`);
    return undefined;
}
