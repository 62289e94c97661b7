/**
 * `--server -`: the resource server's URL arrives as the first line of
 * standard input instead of on the command line.
 *
 * `npm run demo` starts the client together with the two servers, so that the
 * client's start-up (loading the SDK) overlaps theirs, and writes the RS URL
 * to the client's stdin once both listen (scripts/demo.ts, docs/benchmarks.md).
 * A line that is not an http(s) URL, or stdin ending without one, is a usage
 * error like a bad `--server`.
 */
import { createInterface } from 'node:readline';
import { usageError } from '../support/args.ts';
import { parseServerUrl, PROGRAM } from './options.ts';

export async function serverFromStdin(input: NodeJS.ReadableStream = process.stdin): Promise<URL> {
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
        for await (const line of lines) return parseServerUrl('--server -', line.trim());
    } finally {
        lines.close();
    }
    usageError(PROGRAM, '--server -: standard input ended before a URL arrived');
}
