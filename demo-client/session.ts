/**
 * The host: one MCP client session against one resource server, built on the
 * SDK's Client and StreamableHTTPClientTransport. The SDK runs OAuth — the 401
 * flow, the SEP-2350 step-up with the scope union, the RFC 9207 `iss` check in
 * `finishAuth`. The host does what the SDK leaves to it: when the transport
 * throws UnauthorizedError it completes the authorization (callback, then
 * `finishAuth` with the whole query) and retries, and it bounds those retries
 * so a scope that is never granted ends the call instead of looping. A retry
 * after a step-up runs on a new transport, which carries what is left of the
 * call's step-up budget; on a 2026-07-28 connection it adopts the previous
 * connection's discover result, so it costs no round trip. A run that cannot
 * go on ends with its cause — a server's body past its bound, an AS that
 * requires DPoP under --no-dpop, no AS metadata anywhere, metadata naming
 * another resource (RFC 9728 §3.3), a path that answers 404, an answer that
 * is not MCP — not with the symptom the SDK meets next.
 */
import {
    auth,
    Client,
    InsufficientScopeError,
    SdkErrorCode,
    SdkHttpError,
    StreamableHTTPClientTransport,
    UnauthorizedError,
    IssuerMismatchError,
    OAuthError,
    RegistrationRejectedError,
    type CallToolResult,
    type PriorDiscovery,
    type Tool,
    type VersionNegotiationOptions
} from '@modelcontextprotocol/client';
import { Authorizer } from './authorizer.ts';
import { CallbackListener, CallbackPortUnavailableError } from './callback-listener.ts';
import { BodyTooLargeError, noticingRefusals } from './bounded-fetch.ts';
import { credentialGuardFetch } from './credential-guard.ts';
import { ClientFailure, DPOP_REQUIRED_LINE, authorizationErrorLine, issuerMismatchLine, noMetadataLine } from './failures.ts';
import { observingFetch, type ObservedEvent } from './http-observer.ts';
import { CLIENT_NAME, StoryOAuthProvider } from './oauth-provider.ts';
import { resourceMismatch } from './resource-identity.ts';
import { notAnMcpServer } from './not-an-mcp-server.ts';
import { notFoundFailure } from './resource-path.ts';
import { refusedClientLine, type PreRegisteredClient } from './pre-registered-client.ts';
import { refusalLine, stepUpOptionsFor, type StepUpPolicy } from './step-up-policy.ts';
import type { SessionEvent } from './session-events.ts';
import type { TokenStore } from './token-store.ts';

/** Authorizations per call that are not step-ups (first login, a token that stopped working). */
const MAX_LOGINS_PER_CALL = 2;

export interface SessionOptions {
    server: URL;
    store: TokenStore;
    policy: StepUpPolicy;
    headless: boolean;
    openBrowser: boolean;
    authTimeoutMs: number;
    onEvent(event: SessionEvent): void;
    /** A line for the user on stdout (the consent URL). */
    print(line: string): void;
    /** A warning line on stderr. */
    warn(line: string): void;
    /** Protocol era negotiation (the SDK's default, legacy, when absent). */
    versionNegotiation?: VersionNegotiationOptions;
    /** The client's metadata document URL, used as client_id where the server supports CIMD instead of DCR. */
    clientMetadataUrl?: string;
    /** Ask for DPoP-bound tokens (RFC 9449); default true. */
    dpop?: boolean;
    /** `--client-id` (and DEMO_CLIENT_SECRET): a client the administrator registered; no dynamic registration. */
    preRegisteredClient?: PreRegisteredClient;
    /** `--callback-port`: the only port the callback listener may use (the registered redirect URI's). */
    callbackPort?: number;
}

/** A call refused with 403 insufficient_scope and not stepped up (any further). */
export class StepUpRefusal extends ClientFailure {
    constructor(
        line: string,
        readonly tool: string,
        readonly requiredScope: string | undefined,
        readonly stepUps: number
    ) {
        super(line);
    }
}

interface Connection {
    client: Client;
    transport: StreamableHTTPClientTransport;
    stepUp: ReturnType<typeof stepUpOptionsFor>;
}

const isUnauthorized = (error: unknown) => error instanceof UnauthorizedError;
const sameStepUp = (a: Connection['stepUp'], b: Connection['stepUp']) => a.onInsufficientScope === b.onInsufficientScope && a.maxStepUpRetries === b.maxStepUpRetries;
const isStepUpCap = (error: unknown) => error instanceof SdkHttpError && error.code === SdkErrorCode.ClientHttpForbidden;

/**
 * What a 2026-07-28 connection learned from `server/discover`, for the connection that replaces it
 * after a step-up: the SDK adopts it with no round trip. The server, the client and the
 * authorization are the same, only the token's scope grew, which is how the SDK's own step-up
 * keeps a connection. A 2025-era connection has nothing to carry over and repeats `initialize`.
 */
function priorDiscoveryOf(connection: Connection | undefined): PriorDiscovery | undefined {
    const discover = connection?.client.getProtocolEra() === 'modern' ? connection.client.getDiscoverResult() : undefined;
    return discover ? { kind: 'modern', discover } : undefined;
}

export class Session {
    private connection?: Connection;
    private currentTool?: string;
    private challengesThisAttempt = 0;
    private lastChallenge?: Extract<ObservedEvent, { kind: 'challenge' }>;
    private heldEvents?: SessionEvent[];
    /** The client being connected or in use, to close when a server's body outgrew its bound. */
    private activeClient?: Client;
    /**
     * Why this run cannot go on, once known — a body cut off at its bound (bounded-fetch.ts), an
     * authorization server that requires DPoP while --no-dpop is on. It ends the run in its own
     * words, whatever symptom the SDK reports next (a dropped stream, the code refused on retry).
     */
    private cause?: ClientFailure | BodyTooLargeError;
    private readonly fetch;
    private readonly authorizer: Authorizer;

    private constructor(
        private readonly options: SessionOptions,
        private readonly listener: CallbackListener,
        readonly provider: StoryOAuthProvider
    ) {
        const noticed = noticingRefusals(fetch, (error) => this.refuseBody(error));
        this.fetch = observingFetch(options.server, (event) => this.observe(event), credentialGuardFetch(noticed));
        this.authorizer = new Authorizer(listener, {
            headless: options.headless,
            openBrowser: options.openBrowser,
            authTimeoutMs: options.authTimeoutMs,
            onEvent: options.onEvent,
            print: options.print,
            warn: options.warn
        });
    }

    /** Starts the callback listener (on --callback-port, else on the stored port when free) and prepares the provider. */
    static async open(options: SessionOptions): Promise<Session> {
        const previous = options.callbackPort === undefined ? options.store.callbackPort : undefined;
        const reports = {
            rejected: (reason: string, repeated: boolean) => options.onEvent({ kind: 'callback-rejected', reason, repeated }),
            repeated: (reason: string, count: number) => options.onEvent({ kind: 'callback-rejections-repeated', reason, count })
        };
        const listener = await CallbackListener.start(options.callbackPort ?? previous, reports, { exact: options.callbackPort !== undefined }).catch((error: unknown) => {
            throw error instanceof CallbackPortUnavailableError ? new ClientFailure(error.message) : error;
        });
        if (previous !== undefined && previous !== listener.port) options.onEvent({ kind: 'callback-port-changed', previous, now: listener.port });
        const provider = new StoryOAuthProvider(options.store, options.server.href, listener, options.clientMetadataUrl, options.dpop ?? true, options.preRegisteredClient, (use) =>
            options.onEvent({ kind: 'client-pre-registered', ...use })
        );
        return new Session(options, listener, provider);
    }

    /** The tools the server lists. */
    listTools(): Promise<Tool[]> {
        return this.withAuthorization(undefined, async (client) => (await client.listTools()).tools);
    }

    /** Calls `name`, stepping up within the policy's bound when the resource answers 403 insufficient_scope. */
    callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
        return this.withAuthorization(name, (client) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>);
    }

    /**
     * `--refresh`: renews the access token with the stored refresh token (RFC 6749 §6) at once,
     * whether or not it has expired, through the SDK's own auth() — discovery, then the
     * refresh_token grant with a DPoP proof when the tokens are DPoP-bound (RFC 9449 §5).
     */
    async refreshTokens(): Promise<void> {
        if (!this.provider.tokens()?.refresh_token) throw new ClientFailure('--refresh: no refresh token is stored for this server; run without --refresh to authorize');
        try {
            const result = await auth(this.provider, { serverUrl: this.options.server, fetchFn: this.fetch });
            if (result !== 'AUTHORIZED') throw new ClientFailure('--refresh: the authorization server did not renew the token; run without --refresh to authorize again');
        } catch (error) {
            throw this.explained(error);
        } finally {
            this.provider.takeAuthorizationRequest();
        }
    }

    async close(): Promise<void> {
        await this.disconnect();
        await this.listener.close();
    }

    private async withAuthorization<T>(tool: string | undefined, action: (client: Client) => Promise<T>): Promise<T> {
        let stepUps = 0;
        let logins = 0;
        for (;;) {
            this.currentTool = undefined;
            const connection = await this.connect(stepUps);
            this.currentTool = tool;
            this.challengesThisAttempt = 0;
            try {
                return await action(connection.client);
            } catch (error) {
                if (this.cause) throw this.cause;
                const challenged = this.challengesThisAttempt;
                if (isUnauthorized(error)) {
                    // Every 403 in this attempt started a step-up; the last one needs the user.
                    if (challenged === 0 && ++logins > MAX_LOGINS_PER_CALL) throw new ClientFailure('the resource server keeps answering 401 after authorization; giving up');
                    stepUps += challenged;
                    await this.completeAuthorization(connection.transport, challenged > 0);
                    continue;
                }
                if (error instanceof InsufficientScopeError) throw this.refusal(tool, error.requiredScope, error.resourceMetadataUrl, stepUps + challenged - 1);
                if (isStepUpCap(error)) throw this.refusal(tool, this.lastChallenge?.scope, this.lastChallenge?.resourceMetadata, stepUps + challenged - 1);
                throw this.explained(error);
            }
        }
    }

    /** A connection whose transport may step up as often as this call has left; connects (and logs in) when needed. */
    private async connect(stepUpsUsed: number): Promise<Connection> {
        const stepUp = stepUpOptionsFor(this.options.policy, stepUpsUsed);
        const current = this.connection;
        if (current && sameStepUp(current.stepUp, stepUp)) return current;
        const prior = priorDiscoveryOf(current);
        await this.disconnect();
        for (let logins = 0; ; logins++) {
            const transport = new StreamableHTTPClientTransport(this.options.server, { authProvider: this.provider, fetch: this.fetch, ...stepUp });
            const client = new Client({ name: CLIENT_NAME, version: '0.1.0' }, { versionNegotiation: this.options.versionNegotiation });
            this.activeClient = client;
            try {
                await client.connect(transport, prior && { prior });
                this.connection = { client, transport, stepUp };
                return this.connection;
            } catch (error) {
                // A path the server does not serve (a URL without /mcp): suggest the one its metadata names.
                if (!this.cause && error instanceof SdkHttpError && error.status === 404) throw await notFoundFailure(this.options.server, error.status, error.statusText);
                if (!isUnauthorized(error)) throw this.explained(error);
                if (logins >= MAX_LOGINS_PER_CALL) throw new ClientFailure('the resource server keeps answering 401 after authorization; giving up');
                await this.completeAuthorization(transport, false);
            }
        }
    }

    /** The error to end the run with: the cause when one is known, or the error named by its cause. */
    private explained(error: unknown): unknown {
        if (this.cause) return this.cause;
        const discovery = this.provider.discoveryState();
        // RFC 8414 §3 / OpenID Connect Discovery §4: without metadata the SDK guesses /register, which fails for that reason.
        if (error instanceof RegistrationRejectedError && discovery && !discovery.authorizationServerMetadata) {
            return new ClientFailure(noMetadataLine(String(discovery.authorizationServerUrl), error.status));
        }
        // RFC 9728 §3.3: the SDK refused metadata that names another resource; say so, and how to run again.
        return resourceMismatch(this.options.server, discovery) ?? notAnMcpServer(this.options.server, error) ?? error;
    }

    /** A server's body outgrew its bound: remember why, and close the client so no request waits on it. */
    private refuseBody(error: BodyTooLargeError): void {
        this.cause ??= error;
        void this.activeClient?.close().catch(() => {});
    }

    private async disconnect(): Promise<void> {
        const connection = this.connection;
        this.connection = undefined;
        await connection?.client.close().catch(() => {});
    }

    /** Completes the authorization the SDK just started: consent, callback, then `finishAuth` with the whole query. */
    private async completeAuthorization(transport: StreamableHTTPClientTransport, stepUp: boolean): Promise<void> {
        const request = this.provider.takeAuthorizationRequest();
        if (!request) throw new ClientFailure('the server asked for authorization, but the SDK started none');
        this.options.onEvent({ kind: 'authorization-started', scope: request.scope, heldScope: this.provider.tokens()?.scope, stepUp });
        const params = await this.authorizer.complete(request);
        this.options.onEvent({ kind: 'callback-accepted' });
        this.heldEvents = [];
        try {
            await transport.finishAuth(params);
            this.issuerChecked(params);
        } catch (error) {
            if (this.cause) throw this.cause;
            if (error instanceof IssuerMismatchError) {
                if (error.kind !== 'metadata') this.options.onEvent({ kind: 'issuer-refused', expected: error.expected, received: error.received });
                throw new ClientFailure(issuerMismatchLine(error));
            }
            // Only reached once iss validated (the SDK checks it before reading error params), so the text may be shown.
            if (error instanceof OAuthError && !params.has('code')) {
                this.issuerChecked(params);
                throw new ClientFailure(authorizationErrorLine(error));
            }
            // RFC 6749 §5.2: the token endpoint did not authenticate the administrator's client (a secret missing or wrong).
            const client = this.options.preRegisteredClient;
            if (client && error instanceof OAuthError && (error.code === 'invalid_client' || error.code === 'unauthorized_client')) {
                throw new ClientFailure(refusedClientLine(client, error.code));
            }
            throw this.explained(error);
        } finally {
            const held = this.heldEvents;
            this.heldEvents = undefined;
            held.forEach((event) => this.options.onEvent(event));
        }
    }

    /**
     * What `finishAuth` did with `iss`: with the issuer of the discovered metadata it compared them
     * (RFC 9207 §2.4); with no metadata found it had nothing to compare with and compared nothing
     * (the SDK's validateAuthorizationResponseIssuer is a no-op without an expected issuer).
     */
    private issuerChecked(params: URLSearchParams): void {
        const issuer = this.provider.issuer;
        const issPresent = params.has('iss');
        this.options.onEvent(issuer === undefined ? { kind: 'issuer-unchecked', issPresent } : { kind: 'issuer-verified', issuer, issPresent });
    }

    private refusal(tool: string | undefined, requiredScope: string | undefined, resourceMetadataUrl: URL | undefined, stepUps: number): StepUpRefusal {
        const name = tool ?? 'the request';
        const grantedScope = this.provider.tokens()?.scope;
        const line = refusalLine(this.options.policy, { tool: name, requiredScope, resourceMetadataUrl, stepUps: Math.max(0, stepUps), grantedScope });
        this.options.onEvent({ kind: 'step-up-stopped', tool: name, stepUps: Math.max(0, stepUps), policy: this.options.policy });
        return new StepUpRefusal(line, name, requiredScope, Math.max(0, stepUps));
    }

    private observe(event: ObservedEvent): void {
        // SEP-2352: a held token refused with 401 may mean the resource moved to another authorization
        // server; forget the cached discovery so the SDK reads the metadata again (it leaves this to the host).
        if (event.kind === 'challenge' && event.status === 401 && this.provider.tokens()) this.provider.invalidateCredentials('discovery');
        if (event.kind === 'challenge' && event.status === 403 && event.error === 'insufficient_scope') {
            this.challengesThisAttempt++;
            this.lastChallenge = event;
        }
        const enriched: SessionEvent = event.kind === 'challenge' ? { ...event, tool: this.currentTool } : event;
        if (this.heldEvents && event.kind === 'token') this.heldEvents.push(enriched);
        else this.options.onEvent(enriched);
        // RFC 9449 §5: an AS that binds every token refuses a request without a proof. Thrown from within the token
        // request, this ends the flow there: the SDK would otherwise retry the code, and that refusal would hide why.
        if (event.kind === 'token' && event.error === 'invalid_dpop_proof' && !this.provider.useDpop) throw (this.cause ??= new ClientFailure(DPOP_REQUIRED_LINE));
    }
}
