/**
 * DPoP at the resource server (RFC 9449 §7): which scheme a request presents
 * its token with, whether the token's binding and the request's proof agree,
 * and the DPoP challenges the RS answers with.
 *
 * A token whose JWT carries `cnf.jkt` is bound to a key. Presented with
 * `Authorization: DPoP <token>` it needs a `DPoP` proof for this very request,
 * checked by the shared support/dpop-proof.ts: `htm`, `htu` = this request's
 * URL, `iat`, a `jti` not seen before, `ath` = the token's hash, and the
 * proof key's thumbprint = `cnf.jkt`. Presented as `Bearer` it is refused
 * (§7.2): whoever copied it has no key. A token without `cnf` presented
 * under the DPoP scheme is refused too. With `--require-dpop` Bearer tokens
 * are refused altogether. The jtis are kept in a replay store: this
 * process's memory (at most `--dpop-replay-memory` of them) or, with
 * `--replay-store`, a Redis shared by every instance (redis-replay-store.ts).
 * When the memory is full of proofs still inside their window, or the shared
 * store cannot record the proof, a valid proof is refused with 503 and
 * Retry-After (bearer-auth.ts): a proof is never accepted unremembered.
 *
 * Once a DPoP request is authenticated, the SDK's per-tool 403
 * insufficient_scope challenge (built with the Bearer scheme) is re-issued
 * under the DPoP scheme with `algs` (§7.1), so a client steps up under DPoP
 * exactly as it does with Bearer.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import { DPOP_ALGORITHMS, verifyDpopProof, type ReplayStore } from '../support/dpop-proof.ts';

/** Default for `--dpop-replay-memory`: proof jtis remembered, each for its proof's iat window (RFC 9449 §11.1). */
export const MAX_REMEMBERED_PROOFS = 50_000;

/** Where the verifier puts a bound token's `cnf.jkt` (RFC 9449 §6.1). */
export const JKT_EXTRA = 'dpopJkt';

/** RFC 9449 §7.1: the `algs` challenge parameter. */
export const DPOP_ALGS = DPOP_ALGORITHMS.join(' ');

export interface DpopRefusal {
    /** `invalid_token` (wrong scheme for the token) or `invalid_dpop_proof`. */
    error: 'invalid_token' | 'invalid_dpop_proof';
    description: string;
}

/** A valid proof the replay store cannot take (full, or out of reach): answered 503 with `Retry-After`, not 401 (the client did nothing wrong). */
export interface DpopMemoryFull {
    error: 'temporarily_unavailable';
    description: string;
    retryAfterSeconds: number;
}

export function boundJktOf(authInfo: AuthInfo): string | undefined {
    const jkt = authInfo.extra?.[JKT_EXTRA];
    return typeof jkt === 'string' ? jkt : undefined;
}

export class DpopBinding {
    /**
     * @param publicOrigin `--resource-url`'s origin: behind a TLS proxy the client signs the public URL, which this
     * listener never sees (RFC 9449 §4.3 compares htu with the URL the request was sent to).
     */
    constructor(
        readonly required: boolean,
        private readonly replay: ReplayStore,
        private readonly publicOrigin?: string
    ) {}

    /** RFC 9449 §7: the request's scheme, token binding and proof agree; otherwise why not. */
    async check(req: Request, presentedAsDpop: boolean, authInfo: AuthInfo): Promise<DpopRefusal | DpopMemoryFull | undefined> {
        const boundJkt = boundJktOf(authInfo);
        if (!presentedAsDpop) {
            // RFC 9449 §7.2: a DPoP-bound token is not a Bearer token.
            if (boundJkt) return { error: 'invalid_token', description: 'The access token is DPoP-bound; present it with the DPoP scheme and a proof.' };
            return undefined;
        }
        if (!boundJkt) return { error: 'invalid_token', description: 'The access token is not DPoP-bound; the DPoP scheme needs a token with cnf.jkt.' };
        const proof = req.headers.dpop;
        const result = await verifyDpopProof(
            Array.isArray(proof) ? proof.join(', ') : proof,
            { method: req.method, url: requestUrl(req, this.publicOrigin), accessToken: authInfo.token, boundJkt },
            { replay: this.replay }
        );
        if (result.ok) return undefined;
        // RFC 9449 §11.1: a proof that cannot be remembered is not accepted; forgetting another would reopen its replay.
        if (result.error === 'replay_memory_full' || result.error === 'replay_store_unavailable') return { error: 'temporarily_unavailable', description: `The DPoP proof was not accepted: ${result.reason}.`, retryAfterSeconds: result.retryAfterSeconds };
        return { error: 'invalid_dpop_proof', description: `The DPoP proof was refused: ${result.reason}.` };
    }
}

/**
 * RFC 9449 §4.3 (9): the URL this request was sent to — the public origin when the RS is named by
 * --resource-url, else as this listener received it (the Host header was already held to loopback names).
 */
function requestUrl(req: Request, publicOrigin: string | undefined): string {
    return `${publicOrigin ?? `${req.protocol}://${req.headers.host}`}${req.originalUrl}`;
}

/**
 * RFC 9449 §7.1: the per-tool 403 of a DPoP-authenticated request names the
 * DPoP scheme. The SDK writes its challenge with the Bearer scheme through
 * writeHead; this response's writeHead re-issues it with DPoP and algs.
 */
export function scopeChallengesUnderDpop(res: Response): void {
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, status: number, ...rest: unknown[]) {
        const headers = rest.find((arg) => typeof arg === 'object' && arg !== null) as Record<string, string | string[]> | undefined;
        if (status === 403 && headers) {
            for (const name of Object.keys(headers)) {
                if (name.toLowerCase() === 'www-authenticate' && typeof headers[name] === 'string') headers[name] = asDpopChallenge(headers[name] as string);
            }
        }
        const own = res.getHeader('www-authenticate');
        if (status === 403 && typeof own === 'string') res.setHeader('WWW-Authenticate', asDpopChallenge(own));
        return writeHead.apply(this, [status, ...rest] as Parameters<typeof writeHead>);
    } as typeof res.writeHead;
}

function asDpopChallenge(challenge: string): string {
    return challenge.startsWith('Bearer ') ? `DPoP ${challenge.slice('Bearer '.length)}, algs="${DPOP_ALGS}"` : challenge;
}
