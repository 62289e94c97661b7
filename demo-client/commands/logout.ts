/**
 * `logout`: revoke every refresh token the store holds at the authorization
 * server that issued it (RFC 7009), then delete the store — registrations,
 * access and refresh tokens all go with it, so the next command starts with
 * a fresh login. Each revocation gets one line; one that fails is reported
 * and does not keep the store from being deleted, and the last line says
 * plainly when nothing (or not everything) could be revoked.
 *
 * A store logout could not read — not JSON, not a store's shape, or not
 * readable at all — is never deleted: what such a file holds cannot be known,
 * so deleting it could throw away the only copy of a live refresh token.
 * Logout revokes the refresh tokens it finds in well-formed entries, keeps
 * the file, and exits 1 saying what was kept and why. A symbolic link or a
 * store others can reach is refused before anything is sent (store-file.ts).
 */
import { rmSync } from 'node:fs';
import { plainText, redactUrls } from '../plain-text.ts';
import { revokeRefreshToken, type HeldRefreshToken, type RevocationOutcome } from '../revocation.ts';
import { readStore, refreshTokensIn } from '../store-file.ts';

type Print = (line: string) => void;

/** How many refresh tokens were held, and how many of them the authorization servers confirmed revoked. */
interface Tally {
    held: number;
    revoked: number;
}

export async function runLogout(storePath: string, print: Print, warn: Print): Promise<number> {
    const read = readStore(storePath);
    switch (read.state) {
        case 'missing':
            print(`nothing to delete: ${storePath} does not exist`);
            return 0;
        case 'loaded': {
            const tally = await revokeAll(refreshTokensIn(read.data), print, warn);
            rmSync(storePath, { force: true });
            print(deletedLine(storePath, tally));
            return 0;
        }
        case 'unreadable':
            warn(`kept ${storePath}: it cannot be read (${read.code}), so logout cannot tell what it holds; nothing was revoked or deleted`);
            return 1;
        case 'corrupt': {
            if (read.parsed === undefined) {
                warn(`kept ${storePath}: it is not valid JSON, so logout cannot tell what it holds and did not delete it`);
                warn('revoked nothing; look at the file, then delete it yourself');
                return 1;
            }
            const tally = await revokeAll(refreshTokensIn(read.parsed), print, warn);
            warn(`kept ${storePath}: it is not in the shape of a scoped-tools store, so logout did not delete it`);
            warn(`${salvageLine(tally)}; look at the file, then delete it yourself`);
            return 1;
        }
    }
}

async function revokeAll(held: HeldRefreshToken[], print: Print, warn: Print): Promise<Tally> {
    let revoked = 0;
    for (const token of held) {
        const result = await revokeRefreshToken(token);
        if (result.outcome === 'revoked') revoked++;
        report(token, result, print, warn);
    }
    return { held: held.length, revoked };
}

function report(held: HeldRefreshToken, result: RevocationOutcome, print: Print, warn: Print): void {
    // Both came from the store: shown as every URL is (no user name, password or query value).
    const what = `the refresh token for ${plainText(redactUrls(held.resource), 200)}`;
    const issuer = plainText(redactUrls(held.issuer), 200);
    if (result.outcome === 'revoked') return print(`revoked ${what} at ${issuer} (its access token ends when it expires)`);
    if (result.outcome === 'not-offered') return warn(`${issuer} offers no revocation endpoint; ${what} stays valid there until it expires`);
    warn(`could not revoke ${what} at ${issuer}: ${result.reason}; it stays valid there until it expires`);
}

const refreshTokens = (count: number) => (count === 1 ? '1 refresh token' : `${count} refresh tokens`);
const whyAbove = (failed: number) => (failed === 1 ? 'the line above says why' : 'the lines above say why');

/** The last line for a store that was read and deleted: plain about what could not be revoked. */
function deletedLine(path: string, { held, revoked }: Tally): string {
    if (revoked === held) return `logged out: deleted ${path}`;
    const what = revoked === 0 ? 'revoked nothing' : `revoked ${revoked} of ${refreshTokens(held)}`;
    return `logged out: ${what} (${whyAbove(held - revoked)}); deleted ${path} anyway`;
}

/** What logout could revoke from a store it kept. */
function salvageLine({ held, revoked }: Tally): string {
    if (held === 0) return 'revoked nothing: no refresh token was found in a well-formed entry';
    if (revoked === held) return `revoked the ${refreshTokens(held)} found in its well-formed entries`;
    return `revoked ${revoked} of the ${refreshTokens(held)} found in its well-formed entries (${whyAbove(held - revoked)})`;
}
