/**
 * `logout`: delete the token store — registrations, access and refresh tokens
 * all go with it, so the next command starts with a fresh login.
 */
import { existsSync, rmSync } from 'node:fs';

export function runLogout(storePath: string, print: (line: string) => void): number {
    if (!existsSync(storePath)) {
        print(`nothing to delete: ${storePath} does not exist`);
        return 0;
    }
    rmSync(storePath, { force: true });
    print(`logged out: deleted ${storePath}`);
    return 0;
}
