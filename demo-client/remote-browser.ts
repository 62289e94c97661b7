/**
 * What to do when the consent page cannot open here (no display, or no
 * browser would start): how long the client waits, and how to open the page
 * from another machine's browser. Both the authorization server (when it is
 * on this machine's loopback interface) and the callback listener
 * (RFC 8252 §7.3: always 127.0.0.1) must be reached as 127.0.0.1 from that
 * browser, so each port is forwarded over SSH to the same port.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The port a URL connects to, its scheme's default when it names none. */
const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** The loopback ports the browser must reach, in order: the authorization server's (if local), then the callback's. */
export function portsToForward(authorizationUrl: URL, callbackUrl: URL): number[] {
    const ports = [authorizationUrl, callbackUrl].filter((url) => LOOPBACK_HOSTS.has(url.hostname)).map(portOf);
    return [...new Set(ports)];
}

/** The lines that say how long the client waits and how to answer from another machine. */
export function remoteBrowserLines(authorizationUrl: URL, callbackUrl: URL, waitSeconds: number): string[] {
    const forwards = portsToForward(authorizationUrl, callbackUrl)
        .map((port) => `-L ${port}:127.0.0.1:${port}`)
        .join(' ');
    return [
        `Waiting up to ${waitSeconds} s (--auth-timeout) for the authorization response.`,
        'The URL can be opened in a browser on another machine: first forward these ports to this one over SSH, from that machine:',
        `    ssh ${forwards} <user>@<this machine>`
    ];
}
