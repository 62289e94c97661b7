/**
 * The DPoP proof check (RFC 9449 §4.3) that both the authorization server's
 * /token and the resource server's /mcp run, in one place so the two cannot
 * disagree. It imports nothing of either process.
 *
 * `verifyDpopProof` takes the `DPoP` header of one request and what that
 * request is (method, URL, the access token it carries, the key its token is
 * bound to) and answers with the proof key's RFC 7638 thumbprint, or with the
 * first rule the proof breaks — each a fixed sentence, never proof text. The
 * checks run in the order §4.3 lists them: one well-formed JWS, `typ`,
 * an asymmetric `alg`, a public `jwk`, the signature, then `htm`, `htu`,
 * `iat`, `nonce`, `ath`, the bound key, and last `jti` (remembered only
 * once everything else holds, so a refused proof cannot fill the memory).
 *
 * A client signs every proof with the same key, so every proof it sends has
 * the same protected header, byte for byte. What the header alone decides
 * (its `typ`, `alg`, the public key imported from its `jwk` and that key's
 * thumbprint) is worked out once per header and remembered by its exact bytes
 * (`ProofHeaders`); the signature, and every claim, are still checked on every
 * proof. The memo takes the key import and the thumbprint off every call
 * (docs/dpop.md, "What a proof costs at the RS").
 *
 * `DpopReplayMemory` is that memory of `jti`s, bounded in time (a `jti` is
 * kept exactly as long as its proof could pass the `iat` window: both come
 * from `proofAcceptableUntil`) and in size. A full memory forgets nothing
 * still inside its window: the proof is refused instead (`replay_memory_full`,
 * which each server answers with 503 and `Retry-After`).
 * `DpopNonces` are stateless server nonces (§8, §9): an HMAC of the current
 * time slot, so any replica with the same secret can check them and nothing
 * per client is stored.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JWK, JWSHeaderParameters } from 'jose';
// jose's per-function entry points: its index loads all ~45 of its modules at start-up (docs/benchmarks.md).
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { EmbeddedJWK } from 'jose/jwk/embedded';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { jwtVerify } from 'jose/jwt/verify';

/**
 * RFC 9449 §5.1 / §11.6: asymmetric algorithms only — never `none`, never HMAC. `Ed25519` is RFC 9864's
 * fully-specified name for what `EdDSA` names with an Ed25519 key (oidc-provider 9 signs with it).
 */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] as const;

/** RFC 9449 §4.2: the proof's JOSE header says `typ: dpop+jwt`. */
export const DPOP_TYP = 'dpop+jwt';

/** How far in the past a proof's `iat` may lie (§11.1: "a reasonable window"). */
export const PROOF_MAX_AGE_SECONDS = 60;
/** How far in the future a proof's `iat` may lie (clock skew). */
export const PROOF_MAX_SKEW_SECONDS = 5;

/**
 * RFC 9449 §11.1: the last moment (seconds) at which a proof with this `iat` passes the window, inclusive.
 * The `iat` check and the replay memory both use it, so a `jti` is remembered for every second its
 * proof could be accepted, the boundary second included.
 */
export function proofAcceptableUntil(iat: number): number {
    return iat + PROOF_MAX_AGE_SECONDS;
}

/** The first moment at which a proof with this `iat` passes the window (a clock up to the skew behind the client's). */
function proofAcceptableFrom(iat: number): number {
    return iat - PROOF_MAX_SKEW_SECONDS;
}

/**
 * The first moment at which a proof remembered through `keptThrough` (its `proofAcceptableUntil`) passed the window:
 * a replay store that may have forgotten what it was told before some moment can vouch only for proofs first
 * acceptable at or after it (demo-rs/redis-replay-store.ts).
 */
export function proofFirstAcceptable(keptThrough: number): number {
    return proofAcceptableFrom(keptThrough - PROOF_MAX_AGE_SECONDS);
}

/** RSA proof keys (RFC 7518 §3.3 sets the minimum; the maximum is this suite's): verifying costs what the modulus and exponent make it. */
const RSA_MODULUS_BITS = { min: 2048, max: 4096 } as const;
/** The one public exponent accepted: 65537, base64url `AQAB`. */
const RSA_PUBLIC_EXPONENT = 'AQAB';

/** RFC 7517 members that only a private (or symmetric) key has. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ExpectedRequest {
    /** This request's method. */
    method: string;
    /** This request's own URL (the endpoint that received it); query and fragment are ignored (§4.3). */
    url: string | URL;
    /** The access token the request presents: the proof must carry its hash as `ath` (§4.3, §7). */
    accessToken?: string;
    /** The thumbprint the presented token (or refresh token) is bound to: the proof must be signed by that key (§4.3, §5). */
    boundJkt?: string;
}

/**
 * Why a proof was refused: it breaks a rule (`invalid_dpop_proof`), it needs a server nonce
 * (`use_dpop_nonce`, §8), or it is valid but the replay memory is full of proofs still inside their
 * window (`replay_memory_full`), or the replay store cannot be asked or cannot vouch for it
 * (`replay_store_unavailable`): the server cannot remember it, so it must not accept it; the caller
 * answers 503 with `Retry-After: retryAfterSeconds`.
 */
export type DpopRefusal =
    | { ok: false; error: 'invalid_dpop_proof' | 'use_dpop_nonce'; reason: string }
    | { ok: false; error: 'replay_memory_full' | 'replay_store_unavailable'; reason: string; retryAfterSeconds: number };
export type DpopCheck = { ok: true; jkt: string; jti: string } | DpopRefusal;

export interface DpopProofOptions {
    replay: ReplayStore;
    /** Server nonces, when this server uses them (§8, §9); `require` makes a proof without one fail with use_dpop_nonce. */
    nonces?: { nonces: DpopNonces; require: boolean };
    nowSeconds?: () => number;
}

const invalid = (reason: string): DpopRefusal => ({ ok: false, error: 'invalid_dpop_proof', reason });
const useNonce = (reason: string): DpopRefusal => ({ ok: false, error: 'use_dpop_nonce', reason });
const memoryFull = (retryAfterSeconds: number): DpopRefusal => ({
    ok: false,
    error: 'replay_memory_full',
    reason: 'this server remembers as many DPoP proofs as it can hold; send a new proof after Retry-After',
    retryAfterSeconds
});
const storeUnavailable = (retryAfterSeconds: number): DpopRefusal => ({
    ok: false,
    error: 'replay_store_unavailable',
    reason: 'the DPoP replay store cannot record this proof right now; send a new proof after Retry-After',
    retryAfterSeconds
});

/** base64url SHA-256 of the access token: the `ath` claim (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
    return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** RFC 9449 §4.3: checks one DPoP proof against the request that carried it. */
export async function verifyDpopProof(proof: string | undefined, expected: ExpectedRequest, options: DpopProofOptions): Promise<DpopCheck> {
    const now = options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
    // §4.3 (1, 2): exactly one DPoP header, a well-formed JWS (two headers arrive joined by a comma).
    if (proof === undefined || proof === '') return invalid('a DPoP proof is required');
    if (!COMPACT_JWS.test(proof)) return invalid('the DPoP header is not one compact JWS');

    const header = await PROOF_HEADERS.read(proof);
    if ('reason' in header) return header;

    let payload: Record<string, unknown>;
    try {
        // §4.3 (6): the signature verifies with the embedded key.
        ({ payload } = await jwtVerify(proof, header.key, { algorithms: [header.alg], typ: DPOP_TYP, clockTolerance: 0, currentDate: new Date(now * 1000) }));
    } catch {
        return invalid('the DPoP proof signature does not verify with its jwk');
    }

    // §4.2: jti, htm, htu and iat are required.
    if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) return invalid('the DPoP proof needs a jti');
    if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) return invalid('the DPoP proof needs a numeric iat');
    // §4.3 (8): htm is this request's method.
    if (payload.htm !== expected.method.toUpperCase()) return invalid('the DPoP proof htm is not this request method');
    // §4.3 (9): htu is this request's URL, without query and fragment.
    if (!sameTarget(payload.htu, expected.url)) return invalid('the DPoP proof htu is not this endpoint URL');

    const nonce = checkNonce(payload.nonce, options);
    if (nonce) return nonce;
    // §4.3 (11): iat within an acceptable window; with nonces on, an old proof is asked to use one (§8).
    if (now < proofAcceptableFrom(payload.iat) || now > proofAcceptableUntil(payload.iat)) {
        return options.nonces ? useNonce('the DPoP proof iat is outside the accepted window; use the DPoP-Nonce') : invalid('the DPoP proof iat is outside the accepted window');
    }

    if (expected.accessToken !== undefined) {
        // §4.3 (12): ath is the hash of the presented access token.
        if (typeof payload.ath !== 'string' || !equalStrings(payload.ath, accessTokenHash(expected.accessToken))) return invalid('the DPoP proof ath does not match the access token');
    }
    const { jkt } = header;
    // §4.3 (12) / §5: the key is the one the token is bound to.
    if (expected.boundJkt !== undefined && !equalStrings(jkt, expected.boundJkt)) return invalid('the DPoP proof key is not the key the token is bound to');
    // §4.3 (10) / §11.1: a proof is used once, so its jti is kept for as long as its iat is acceptable.
    const remembered = await options.replay.remember(`${jkt}:${payload.jti}`, proofAcceptableUntil(payload.iat), now);
    if (remembered.outcome === 'replayed') return invalid('the DPoP proof was already used (jti replayed)');
    if (remembered.outcome === 'full') return memoryFull(remembered.retryAfterSeconds);
    // §11.1: a proof the store could not record is not accepted (fail closed).
    if (remembered.outcome === 'unavailable') return storeUnavailable(remembered.retryAfterSeconds);
    return { ok: true, jkt, jti: payload.jti };
}

function checkNonce(nonce: unknown, options: DpopProofOptions): DpopRefusal | undefined {
    if (nonce === undefined) {
        // §8: a server that requires nonces answers use_dpop_nonce with a fresh DPoP-Nonce.
        return options.nonces?.require ? useNonce('this server requires a DPoP-Nonce in the proof') : undefined;
    }
    if (typeof nonce !== 'string') return invalid('the DPoP proof nonce must be a string');
    // §8.2: an unknown or stale nonce is answered like a missing one, with a fresh nonce.
    if (!options.nonces) return invalid('this server issues no DPoP nonces');
    return options.nonces.nonces.accepts(nonce) ? undefined : useNonce('the DPoP proof nonce is not current; use the new DPoP-Nonce');
}

/** What one protected header yields once its rules hold: the algorithm, the imported public key, its RFC 7638 thumbprint. */
interface ProofHeader {
    alg: string;
    key: CryptoKey;
    jkt: string;
}

/** Header memo entries kept: far more keys than clients a demo sees; a flood of new keys only costs their import. */
const MAX_REMEMBERED_PROOF_HEADERS = 1_000;

/**
 * The proof headers that passed their checks, by their exact base64url bytes.
 * Everything remembered is a function of those bytes alone, so a hit answers
 * exactly what checking the header again would; refused headers are never kept.
 */
class ProofHeaders {
    readonly #checked = new Map<string, ProofHeader>();

    async read(proof: string): Promise<ProofHeader | DpopRefusal> {
        const bytes = proof.slice(0, proof.indexOf('.'));
        const known = this.#checked.get(bytes);
        if (known) return known;
        const checked = await checkHeader(proof);
        if ('reason' in checked) return checked;
        if (this.#checked.size >= MAX_REMEMBERED_PROOF_HEADERS) this.#checked.delete(this.#checked.keys().next().value as string);
        this.#checked.set(bytes, checked);
        return checked;
    }
}

const PROOF_HEADERS = new ProofHeaders();

async function checkHeader(proof: string): Promise<ProofHeader | DpopRefusal> {
    const header = headerOf(proof);
    if (!header) return invalid('the DPoP proof header is not readable JSON');
    // §4.3 (4): typ is dpop+jwt.
    if (header.typ !== DPOP_TYP) return invalid('the DPoP proof typ must be dpop+jwt');
    // §4.3 (5): an asymmetric algorithm this server supports; never none, never a MAC.
    if (typeof header.alg !== 'string' || !(DPOP_ALGORITHMS as readonly string[]).includes(header.alg)) {
        return invalid('the DPoP proof alg must be an asymmetric algorithm this server supports');
    }
    // §4.3 (7): the jwk header is a public key.
    if (!isObject(header.jwk)) return invalid('the DPoP proof has no jwk header');
    if (PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(header.jwk as object, member))) return invalid('the DPoP proof jwk must not contain private key material');
    // RFC 7518 §3.3: RSA keys of at least 2048 bits. The exponent and the maximum are ours: the sender picks both and the
    // verification cost grows with them, so a key outside them is refused before any key import or signature work.
    if (header.jwk.kty === 'RSA' && !isBoundedRsaKey(header.jwk)) return invalid('the DPoP proof RSA key must have exponent 65537 and a 2048 to 4096-bit modulus');
    try {
        // jose imports the jwk for this alg, refusing a key of another type or curve, or one whose use/alg says otherwise.
        const key = await EmbeddedJWK(header as JWSHeaderParameters);
        return { alg: header.alg, key, jkt: await calculateJwkThumbprint(header.jwk as JWK, 'sha256') };
    } catch {
        return invalid('the DPoP proof signature does not verify with its jwk');
    }
}

/** An RSA public key whose cost to verify is bounded: e = 65537, and a modulus of 2048 to 4096 bits. */
function isBoundedRsaKey(jwk: Record<string, unknown>): boolean {
    if (jwk.e !== RSA_PUBLIC_EXPONENT || typeof jwk.n !== 'string' || !BASE64URL.test(jwk.n)) return false;
    // The longest acceptable modulus is 683 base64url characters; a longer one is refused without decoding.
    if (jwk.n.length > Math.ceil(RSA_MODULUS_BITS.max / 6)) return false;
    const bits = bitLength(Buffer.from(jwk.n, 'base64url'));
    return bits >= RSA_MODULUS_BITS.min && bits <= RSA_MODULUS_BITS.max;
}

/** The bit length of an unsigned big-endian integer. */
function bitLength(bytes: Buffer): number {
    const first = bytes.findIndex((byte) => byte !== 0);
    if (first === -1) return 0;
    return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function headerOf(proof: string): Record<string, unknown> | undefined {
    try {
        return decodeProtectedHeader(proof) as Record<string, unknown>;
    } catch {
        return undefined;
    }
}

function sameTarget(htu: unknown, url: string | URL): boolean {
    if (typeof htu !== 'string' || !URL.canParse(htu)) return false;
    const claimed = new URL(htu);
    const own = new URL(url);
    for (const target of [claimed, own]) {
        target.search = '';
        target.hash = '';
    }
    return claimed.href === own.href;
}

function equalStrings(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a replay store did with an id: kept it, found it already kept, had no room (and when it will), or could
 * not answer for it (a shared store out of reach, or not yet vouching for proofs this old): never "kept" unless
 * it is.
 */
export type Remembered =
    | { outcome: 'remembered' }
    | { outcome: 'replayed' }
    | { outcome: 'full'; retryAfterSeconds: number }
    | { outcome: 'unavailable'; retryAfterSeconds: number };

/**
 * RFC 9449 §11.1: where accepted proofs' `jti`s are kept, each through `keptThrough` (seconds, inclusive), so that
 * no proof is accepted twice. `DpopReplayMemory` (one process) and demo-rs's Redis store (shared by replicas) are
 * interchangeable behind it.
 */
export interface ReplayStore {
    remember(id: string, keptThrough: number, now: number): Promise<Remembered> | Remembered;
}

/**
 * The `jti`s of accepted proofs, each kept through the last second its
 * proof's `iat` is acceptable (`proofAcceptableUntil`); after that the proof
 * fails the `iat` check anyway. At most `maxEntries`: when the memory is full
 * of ids still inside their window it forgets none of them, and refuses to
 * take the new one, saying how long until the first entry expires. So a flood
 * costs memory up to the cap, never beyond, and never reopens a replay. Per
 * process: replicas must share one store instead (`ReplayStore`, docs/production.md).
 *
 * Entries are grouped by the whole second they are kept through, so
 * forgetting what expired walks at most one window's worth of seconds (66),
 * once per second, whatever order the proofs' `iat`s arrive in.
 */
export class DpopReplayMemory implements ReplayStore {
    readonly #keptThrough = new Map<string, number>();
    readonly #bySecond = new Map<number, string[]>();
    #sweptAt = Number.NEGATIVE_INFINITY;

    constructor(private readonly maxEntries = 50_000) {}

    get size(): number {
        return this.#keptThrough.size;
    }

    /** Keeps `id` until `keptThrough` (seconds, inclusive) has passed; refuses an id already kept, or a new one when full. */
    remember(id: string, keptThrough: number, now: number): Remembered {
        this.#forgetExpired(now);
        const known = this.#keptThrough.get(id);
        if (known !== undefined && known >= now) return { outcome: 'replayed' };
        if (known === undefined && this.#keptThrough.size >= this.maxEntries) return { outcome: 'full', retryAfterSeconds: this.#secondsUntilRoom(now) };
        this.#keptThrough.set(id, keptThrough);
        const second = Math.floor(keptThrough);
        const group = this.#bySecond.get(second);
        if (group) group.push(id);
        else this.#bySecond.set(second, [id]);
        return { outcome: 'remembered' };
    }

    /** Drops every group whose whole second has passed; a later clock reading is needed for anything new to expire. */
    #forgetExpired(now: number): void {
        if (now <= this.#sweptAt) return;
        this.#sweptAt = now;
        for (const [second, ids] of this.#bySecond) {
            if (second + 1 > now) continue;
            for (const id of ids) if ((this.#keptThrough.get(id) ?? now) < now) this.#keptThrough.delete(id);
            this.#bySecond.delete(second);
        }
    }

    /** Whole seconds until the earliest group is past (at least 1): when a full memory has room again. */
    #secondsUntilRoom(now: number): number {
        let earliest = Number.POSITIVE_INFINITY;
        for (const second of this.#bySecond.keys()) earliest = Math.min(earliest, second);
        return Math.max(1, Math.ceil(earliest + 1 - now));
    }
}

/**
 * Stateless server nonces (RFC 9449 §8, §9): the nonce for a time slot is an
 * HMAC of the slot number under a secret made at start-up. The current and the
 * previous slot's nonces are accepted, so a nonce stays usable for one to two
 * slots and nothing per client is kept.
 */
export class DpopNonces {
    readonly #secret: Buffer;

    constructor(
        private readonly slotSeconds = 60,
        secret: Buffer = randomBytes(32),
        private readonly nowSeconds: () => number = () => Date.now() / 1000
    ) {
        this.#secret = secret;
    }

    /** The nonce to hand out now (DPoP-Nonce header). */
    current(): string {
        return this.#forSlot(this.#slot());
    }

    accepts(nonce: string): boolean {
        const slot = this.#slot();
        return [slot, slot - 1].some((candidate) => equalStrings(nonce, this.#forSlot(candidate)));
    }

    #slot(): number {
        return Math.floor(this.nowSeconds() / this.slotSeconds);
    }

    #forSlot(slot: number): string {
        return createHmac('sha256', this.#secret).update(`dpop-nonce:${slot}`).digest('base64url');
    }
}
