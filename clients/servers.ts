/**
 * demo-as and demo-rs for one matrix run, started as `npm run demo` starts
 * them (the AS knows the RS's resource URL, the RS trusts the AS's issuer),
 * with a scenario's extra flags; and the AS restarted on the same port, as an
 * AS that forgets its clients does. Their stdout is the wire evidence: the
 * AS's request log and the RS's call log, read as lines in arrival order.
 */
import { freeLoopbackPort, LOOPBACK_HOST, parseReadyLine } from '../support/serve.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';

export interface ServerFlags {
    asArgs: string[];
    rsArgs: string[];
}

export interface Servers {
    /** The RS's MCP endpoint. */
    mcpUrl: string;
    /** Every request-log line of every AS incarnation so far, in order. */
    asLines(): string[];
    /** Every `call …` line of the RS so far, in order. */
    rsLines(): string[];
    /** Stops the AS and starts a new one (new signing key, no clients) on the same port. */
    restartAs(): Promise<void>;
    stop(): Promise<void>;
}

const START_ATTEMPTS = 3;
/** On a busy machine (CI's two cores, two clients at a time) a start can take many seconds; it is not a finding. */
const READY_TIMEOUT_MS = 60_000;

const logLines = (server: RunningServer) => server.stdout.filter((line) => line !== '' && parseReadyLine(line) === undefined);

export async function startServers(flags: ServerFlags): Promise<Servers> {
    for (let attempt = 1; ; attempt++) {
        const rsPort = await freeLoopbackPort();
        const mcpUrl = `http://${LOOPBACK_HOST}:${rsPort}/mcp`;
        const asArgs = ['--resource', mcpUrl, ...flags.asArgs];
        const first = await startServer('demo-as/main.ts', ['--port', '0', ...asArgs], { readyTimeoutMs: READY_TIMEOUT_MS });
        let rs: RunningServer;
        try {
            rs = await startServer('demo-rs/main.ts', ['--port', String(rsPort), '--issuer', first.origin, ...flags.rsArgs], { readyTimeoutMs: READY_TIMEOUT_MS });
        } catch (error) {
            await first.stop();
            if (attempt === START_ATTEMPTS) throw error;
            continue;
        }
        const incarnations = [first];
        const port = new URL(first.origin).port;
        return {
            mcpUrl,
            asLines: () => incarnations.flatMap(logLines),
            rsLines: () => logLines(rs).filter((line) => line.startsWith('call ')),
            restartAs: async () => {
                await incarnations.at(-1)!.stop();
                incarnations.push(await startServer('demo-as/main.ts', ['--port', port, ...asArgs], { readyTimeoutMs: READY_TIMEOUT_MS }));
            },
            stop: async () => {
                await Promise.all([rs.stop(), incarnations.at(-1)!.stop()]);
            }
        };
    }
}
