/**
 * TLS key material of the local Kafka's SASL_SSL listener (`stack:up --tls`), made with the machine's `openssl`:
 * a CA of this stack, and a broker certificate it signs for 127.0.0.1 and localhost (every node of either mode uses
 * it: they all listen on 127.0.0.1), in a PKCS#12 keystore with a random password. Clients trust `ca.crt`.
 *
 * Made once under `<stack>/kafka/tls/`, reused while the broker certificate has more than a day to live, made again
 * otherwise (a new CA: clients must take the new `ca.crt`). Private keys and the password are readable by the owner
 * only; none of it leaves the stack directory (git-ignored).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrokerTls } from './kafka-security.js';
import { findExecutable } from './processes.js';

const run = promisify(execFile);

/** Validity of the generated certificates, in days (825: the most browsers and most TLS stacks still accept). */
const validityDays = 825;

export const tlsFiles = (dir: string) => ({
  dir,
  caKey: join(dir, 'ca.key'),
  caCert: join(dir, 'ca.crt'),
  brokerKey: join(dir, 'broker.key'),
  brokerCsr: join(dir, 'broker.csr'),
  brokerCert: join(dir, 'broker.crt'),
  extensions: join(dir, 'broker.ext'),
  keystore: join(dir, 'broker.p12'),
  password: join(dir, 'broker.p12.password'),
});

function openssl(): string {
  const o = findExecutable('openssl');
  if (!o) throw new Error('kafka: --tls needs openssl on PATH (Debian package openssl)');
  return o;
}

async function stillValid(files: ReturnType<typeof tlsFiles>): Promise<boolean> {
  if (![files.caCert, files.brokerCert, files.keystore, files.password].every((f) => existsSync(f))) return false;
  try {
    await run(openssl(), ['x509', '-checkend', '86400', '-noout', '-in', files.brokerCert]);
    return true;
  } catch {
    return false; // expires within a day (exit 1), or unreadable
  }
}

/** The broker's keystore and the CA clients trust, made when missing or about to expire. */
export async function ensureBrokerTls(dir: string): Promise<BrokerTls> {
  const files = tlsFiles(dir);
  if (!(await stillValid(files))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const o = openssl();
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];
    await run(o, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      files.caKey,
      '-out',
      files.caCert,
      '-days',
      String(validityDays),
      '-subj',
      '/CN=SeatStream local Kafka CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run(o, ['req', '-new', ...ec, '-keyout', files.brokerKey, '-out', files.brokerCsr, '-subj', '/CN=localhost']);
    writeFileSync(
      files.extensions,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '',
      ].join('\n'),
    );
    await run(o, [
      'x509',
      '-req',
      '-in',
      files.brokerCsr,
      '-CA',
      files.caCert,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-out',
      files.brokerCert,
      '-days',
      String(validityDays),
      '-extfile',
      files.extensions,
    ]);
    writeFileSync(files.password, randomBytes(24).toString('base64url'), { mode: 0o600 });
    await run(o, [
      'pkcs12',
      '-export',
      '-in',
      files.brokerCert,
      '-inkey',
      files.brokerKey,
      '-certfile',
      files.caCert,
      '-name',
      'kafka',
      '-out',
      files.keystore,
      '-passout',
      `file:${files.password}`,
    ]);
    for (const f of [files.caKey, files.brokerKey, files.keystore]) chmodSync(f, 0o600);
  }
  return {
    keystoreFile: files.keystore,
    keystorePassword: readFileSync(files.password, 'utf8').trim(),
    caFile: files.caCert,
  };
}
