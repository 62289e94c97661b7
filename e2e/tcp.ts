/**
 * One TCP probe for the tests that prove where a process listens: whether a
 * connection to host:port is accepted (true) or refused (false).
 */
import { connect } from 'node:net';

export function acceptsConnection(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect({ host, port });
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}
