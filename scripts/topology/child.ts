/**
 * Other projects' servers (redis-server, nginx) as child processes of the
 * topology: started in the foreground with their configuration in a temporary
 * folder, never as system services, and stopped with SIGTERM. A start resolves
 * once the server answers on its port, and fails with the server's own words
 * (its last lines) when it exits first — e.g. a port another program took.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { LOOPBACK_HOST } from '../../support/serve.ts';
import { exited } from '../../support/spawn.ts';

export interface ChildServer {
    child: ChildProcess;
    /** Every output line so far, stdout and stderr together. */
    output: string[];
    /** SIGTERM, and the exit. */
    stop(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect(port, LOOPBACK_HOST);
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}

/** Starts `command args…` and resolves once 127.0.0.1:`port` accepts connections; rejects if it exits or stalls first. */
export async function startChildServer(command: string, args: string[], port: number, readyTimeoutMs = 10_000): Promise<ChildServer> {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited(child);
    };
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await accepts(port))) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
            await stop();
            throw new Error(`${command} did not start on port ${port}: ${output.slice(-3).join(' | ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { child, output, stop };
}

/** Tries `start` on fresh free ports until one is not taken in between (the server cannot pick its own). */
export async function onSomeFreePort<T>(start: (port: number) => Promise<T>, freePort: () => Promise<number>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await start(await freePort());
        } catch (error) {
            if (attempt === attempts) throw error;
        }
    }
}
