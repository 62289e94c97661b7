/**
 * A refusal of the protected-resource metadata (RFC 9728 §3.3: its
 * `resource` must be the resource the client asked about), said as its
 * cause. The SDK refuses; its words ("Protected resource … does not match")
 * do not tell a user that the usual reason is a `--server` spelled
 * differently from the URL the resource server printed (`localhost` for
 * `127.0.0.1`). The client keeps refusing — metadata that names another
 * resource is what an impersonating server would serve — and only says how
 * to run again.
 */
import { checkResourceAllowed, resourceUrlFromServerUrl, type OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { ClientFailure } from './failures.ts';
import { showUrl } from './plain-text.ts';

/** The line for metadata whose `resource` is not the `--server` URL (nor a parent of it on its origin). */
export function resourceMismatchLine(server: URL, resource: string): string {
    return (
        `refused the resource server: its metadata says the resource is ${showUrl(resource)}, not the --server URL ${showUrl(server)} (RFC 9728 §3.3); ` +
        'run again with --server set to the URL the resource server printed'
    );
}

/**
 * The failure to report when the discovered metadata names another resource than `server`, by the
 * SDK's own rule (`checkResourceAllowed`); undefined when it names this one or none was found.
 */
export function resourceMismatch(server: URL, discovery: OAuthDiscoveryState | undefined): ClientFailure | undefined {
    const resource = discovery?.resourceMetadata?.resource;
    if (typeof resource !== 'string') return undefined;
    // RFC 9728 §3.3: the resource in the metadata must be the one the client asked about.
    if (checkResourceAllowed({ requestedResource: resourceUrlFromServerUrl(server), configuredResource: resource })) return undefined;
    return new ClientFailure(resourceMismatchLine(server, resource));
}
