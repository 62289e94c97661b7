/**
 * Everything the endpoints share: the issuer, the settings from the command
 * line, the signing key and the in-memory stores. Built once at start-up.
 */
import { AuthorizationCodes } from './stores/authorization-codes.ts';
import { ClientRegistry } from './stores/clients.ts';
import { PendingConsents } from './stores/pending-consents.ts';
import { RefreshTokens } from './stores/refresh-tokens.ts';
import type { SigningKey } from './signing-key.ts';
import { TokenEndpointDpop, type TokenDpopSettings } from './token-dpop.ts';

export interface Settings extends TokenDpopSettings {
    accessTokenTtlSeconds: number;
    codeTtlSeconds: number;
    consentTtlSeconds: number;
    /** `--resource` values: the only resources tokens are issued for; empty means any acceptable resource URL. */
    servedResources: readonly string[];
    /** `--loopback-any-port`: RFC 8252 §7.3 port leniency for loopback redirect URIs (rules/redirect-uri-match.ts); default off, exact match. */
    loopbackAnyPort: boolean;
}

export interface AsContext {
    /** The AS's origin, exactly as published in its metadata (RFC 8414 §2), e.g. `http://127.0.0.1:40123`. */
    issuer: string;
    settings: Settings;
    signingKey: SigningKey;
    clients: ClientRegistry;
    consents: PendingConsents;
    codes: AuthorizationCodes;
    refreshTokens: RefreshTokens;
    /** DPoP proofs at /token (RFC 9449). */
    dpop: TokenEndpointDpop;
}

export function createContext(issuer: string, settings: Settings, signingKey: SigningKey): AsContext {
    return {
        issuer,
        settings,
        signingKey,
        clients: new ClientRegistry(),
        consents: new PendingConsents(settings.consentTtlSeconds),
        codes: new AuthorizationCodes(settings.codeTtlSeconds),
        refreshTokens: new RefreshTokens(),
        dpop: new TokenEndpointDpop(`${issuer}/token`, settings)
    };
}
