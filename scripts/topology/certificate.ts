/**
 * The TLS certificate the topology's proxy presents, made at start with the
 * openssl CLI (Node cannot issue certificates): a throw-away test CA, and a
 * certificate it signs for 127.0.0.1 and a test name, valid for a day. Clients
 * trust the CA through NODE_EXTRA_CA_CERTS; its private key stays in the
 * temporary folder and is deleted with it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The DNS name in the certificate besides 127.0.0.1 (RFC 6761 reserves .test). */
export const TEST_SERVER_NAME = 'mcp.test';

export interface TestCertificate {
    /** The CA certificate (PEM): what a client must trust. */
    caFile: string;
    /** The server certificate and its key (PEM), for the proxy. */
    certFile: string;
    keyFile: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A P-256 key and a certificate or request, per `args`. */
const newEcKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes the CA and the server certificate in `dir`. */
export function makeTestCertificate(dir: string): TestCertificate {
    const file = (name: string) => join(dir, name);
    openssl(['req', '-x509', ...newEcKey, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=scoped-tools test CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    openssl(['req', ...newEcKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${TEST_SERVER_NAME}`]);
    // RFC 6125 / RFC 9110 §4.3.4: clients check the name they connect to against subjectAltName only.
    writeFileSync(file('server.ext'), `subjectAltName=IP:127.0.0.1,DNS:${TEST_SERVER_NAME}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
    openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1',
        '-extfile', file('server.ext'), '-out', file('server.crt')]);
    return { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') };
}
