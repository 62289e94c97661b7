/**
 * DPoP at the token endpoint (RFC 9449 §5, §8): the proof a token request
 * carries, checked by the shared support/dpop-proof.ts against this very
 * request (POST to the issuer's /token), and what follows from it — the key
 * the new tokens are bound to, or the refusal. With `--require-dpop` a request
 * without a proof is refused; with `--dpop-nonce` every proof must carry a
 * current server nonce, and every /token answer hands out the next one.
 * The replay memory keeps at most `--dpop-replay-memory` proofs (default
 * policy.ts CAPS.dpopProofs); when it is full of proofs still inside their
 * window, a new proof is refused with 503 and Retry-After rather than
 * forgetting one (token.ts).
 */
import type { Request, Response } from 'express';
import { DPOP_ALGORITHMS, DpopNonces, DpopReplayMemory, verifyDpopProof, type DpopRefusal } from '../support/dpop-proof.ts';

export { DPOP_ALGORITHMS };

export interface TokenDpopSettings {
    /** `--require-dpop`: no Bearer tokens; every token request carries a proof. */
    requireDpop: boolean;
    /** `--dpop-nonce`: proofs must carry a current server nonce (RFC 9449 §8). */
    requireNonce: boolean;
    /** `--dpop-replay-memory`: how many proof jtis /token remembers at most (RFC 9449 §11.1). */
    dpopReplayMemory: number;
}

/** The proof's outcome: no proof (Bearer), a proof by key `jkt`, or a refusal. */
export type TokenDpop = { ok: true; jkt?: string } | DpopRefusal;

export class TokenEndpointDpop {
    readonly #replay: DpopReplayMemory;
    readonly #nonces?: DpopNonces;

    constructor(
        private readonly tokenEndpointUrl: string,
        private readonly settings: TokenDpopSettings
    ) {
        this.#replay = new DpopReplayMemory(settings.dpopReplayMemory);
        if (settings.requireNonce) this.#nonces = new DpopNonces();
    }

    /** Checks the request's DPoP header; a request without one is fine unless DPoP (or a nonce) is required. */
    async check(req: Request): Promise<TokenDpop> {
        const proof = req.headers.dpop;
        if (proof === undefined) {
            // RFC 9449 §5: this AS can be told to issue sender-constrained tokens only.
            if (this.settings.requireDpop) return { ok: false, error: 'invalid_dpop_proof', reason: 'this authorization server issues DPoP-bound tokens only; send a DPoP proof' };
            return { ok: true };
        }
        const nonces = this.#nonces ? { nonces: this.#nonces, require: true } : undefined;
        const result = await verifyDpopProof(Array.isArray(proof) ? proof.join(', ') : proof, { method: req.method, url: this.tokenEndpointUrl }, { replay: this.#replay, nonces });
        return result.ok ? { ok: true, jkt: result.jkt } : result;
    }

    /** RFC 9449 §8: with nonces on, every token endpoint answer carries the nonce to use next. */
    offerNonce(res: Response): void {
        if (!this.#nonces) return;
        res.set('DPoP-Nonce', this.#nonces.current());
        res.append('Access-Control-Expose-Headers', 'DPoP-Nonce');
    }
}

/**
 * RFC 9449 §5: a refresh token issued with DPoP to a public client is bound to
 * that key; refreshing needs a proof signed by the same key.
 */
export function refreshBindingRefusal(boundJkt: string | undefined, presentedJkt: string | undefined): string | undefined {
    if (boundJkt === undefined) return undefined;
    if (presentedJkt === undefined) return 'the refresh token is bound to a DPoP key; send a DPoP proof signed with it';
    if (presentedJkt !== boundJkt) return 'the DPoP proof key is not the key the refresh token is bound to';
    return undefined;
}
