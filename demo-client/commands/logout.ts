/**
 * `logout`: revoke every refresh token the store holds at the authorization
 * server that issued it (RFC 7009), then delete the store — registrations,
 * access and refresh tokens all go with it, so the next command starts with
 * a fresh login. Each revocation gets one line; one that fails is reported
 * and does not keep the store from being deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import { plainText, redactUrls } from '../plain-text.ts';
import { revokeRefreshToken, type HeldRefreshToken, type RevocationOutcome } from '../revocation.ts';
import { TokenStore } from '../token-store.ts';

export async function runLogout(storePath: string, print: (line: string) => void, warn: (line: string) => void): Promise<number> {
    if (!existsSync(storePath)) {
        print(`nothing to delete: ${storePath} does not exist`);
        return 0;
    }
    for (const held of TokenStore.open(storePath, warn).heldRefreshTokens()) {
        report(held, await revokeRefreshToken(held), print, warn);
    }
    rmSync(storePath, { force: true });
    print(`logged out: deleted ${storePath}`);
    return 0;
}

function report(held: HeldRefreshToken, result: RevocationOutcome, print: (line: string) => void, warn: (line: string) => void): void {
    // Both came from the store: shown as every URL is (no user name, password or query value).
    const what = `the refresh token for ${plainText(redactUrls(held.resource), 200)}`;
    const issuer = plainText(redactUrls(held.issuer), 200);
    if (result.outcome === 'revoked') return print(`revoked ${what} at ${issuer} (its access token ends when it expires)`);
    if (result.outcome === 'not-offered') return warn(`${issuer} offers no revocation endpoint; ${what} stays valid there until it expires`);
    warn(`could not revoke ${what} at ${issuer}: ${result.reason}; it stays valid there until it expires`);
}
