/**
 * Debian's nginx as the topology's TLS-terminating proxy: deploy/nginx.conf.template
 * rendered into a temporary folder, and nginx run in the foreground as a child
 * process with that folder as its prefix (`-p`), so its pid file, logs and
 * temporary files stay there — never the system's nginx service.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../support/spawn.ts';
import { LOOPBACK_HOST } from '../../support/serve.ts';
import { startChildServer, type ChildServer } from './child.ts';
import type { TestCertificate } from './certificate.ts';

export const NGINX_TEMPLATE = join(PROJECT_ROOT, 'deploy', 'nginx.conf.template');

export interface ProxySettings {
    port: number;
    serverName: string;
    certificate: TestCertificate;
    /** The instances' `host:port` addresses. */
    upstreams: string[];
}

/** The template with every {{NAME}} replaced; a name left unfilled is an error, not a broken config. */
export function renderNginxConfig(template: string, values: Record<string, string>): string {
    return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
        if (!(name in values)) throw new Error(`${NGINX_TEMPLATE}: no value for {{${name}}}`);
        return values[name]!;
    });
}

/** nginx with `settings`, its files in `dir`; resolves once it accepts connections on its port. */
export function startNginx(dir: string, settings: ProxySettings): Promise<ChildServer> {
    const config = renderNginxConfig(readFileSync(NGINX_TEMPLATE, 'utf8'), {
        UPSTREAM_SERVERS: settings.upstreams.map((address) => `        server ${address};`).join('\n'),
        LISTEN: `${LOOPBACK_HOST}:${settings.port}`,
        SERVER_NAME: settings.serverName,
        CERTIFICATE: settings.certificate.certFile,
        CERTIFICATE_KEY: settings.certificate.keyFile
    });
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, config);
    return startChildServer('nginx', ['-p', `${dir}/`, '-c', file, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], settings.port);
}
