/**
 * Node's module compile cache (Node ≥ 22.1) for the processes a runner starts.
 *
 * Every process of the demo compiles the same dependencies (the SDK, express,
 * zod, jose) again; with the cache, V8's compiled code for them is kept on
 * disk and reused from the second run on. `module.enableCompileCache()` turns
 * it on for the calling process only, so the directory it picked is handed to
 * the children as NODE_COMPILE_CACHE, which Node reads before it compiles
 * anything. On Node 20 the function does not exist and nothing changes; with
 * NODE_DISABLE_COMPILE_CACHE set, Node leaves it off.
 */
import * as nodeModule from 'node:module';

interface CompileCacheApi {
    enableCompileCache?: () => { status: number; directory?: string };
    constants?: { compileCacheStatus?: Record<string, number> };
}

/** Environment entries that give a child process the compile cache, or none where the runtime has no cache. */
export function compileCacheEnv(): NodeJS.ProcessEnv {
    const api = nodeModule as CompileCacheApi;
    const statuses = api.constants?.compileCacheStatus;
    const result = api.enableCompileCache?.();
    if (!result?.directory || !statuses || (result.status !== statuses.ENABLED && result.status !== statuses.ALREADY_ENABLED)) return {};
    return { NODE_COMPILE_CACHE: result.directory };
}
