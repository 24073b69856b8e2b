/**
 * Ticket QR payloads signed by SeatStream with Ed25519 (node:crypto), verifiable offline by a scanner that holds
 * only the public key:
 *
 *   SS1.<base64url(JSON {t: ticketId, e: eventId, b: bookingId, s: seat label or section})>.<base64url(signature)>
 *
 * The signature covers `SS1.<payload>`. Ed25519 signatures are deterministic, so issuing a ticket again (a replayed
 * record) gives the same QR. Keys: SEATSTREAM_TICKET_SIGNING_KEY (PKCS#8 PEM) or SEATSTREAM_TICKET_SIGNING_KEY_FILE;
 * locally `.stack/secrets/ticket-signing-key.pem`, generated on first use.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stackDir } from '../../infra/config.js';

export interface TicketClaims {
  /** Ticket id. */
  t: string;
  /** Event id. */
  e: string;
  /** Booking id. */
  b: string;
  /** Seat label ('ST2 B 14') or standing section. */
  s: string;
}

const PREFIX = 'SS1';

export const signTicket = (privateKey: KeyObject, claims: TicketClaims): string => {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signed = `${PREFIX}.${payload}`;
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
};

/** The claims of a genuine QR payload, or null for anything else (forged, altered, malformed). */
export function verifyTicket(publicKey: KeyObject, qr: string): TicketClaims | null {
  const parts = qr.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [prefix, payload, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
  let ok: boolean;
  try {
    ok = verify(null, Buffer.from(`${prefix}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return null;
  }
  if (!ok) return null;
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TicketClaims>;
    return typeof c.t === 'string' && typeof c.e === 'string' && typeof c.b === 'string' && typeof c.s === 'string'
      ? (c as TicketClaims)
      : null;
  } catch {
    return null;
  }
}

export interface TicketKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as SPKI PEM, for scanners. */
  publicKeyPem: string;
}

export const keysFromPem = (pem: string): TicketKeys => {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the ticket signing key must be an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

export const generateTicketKeyPem = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export const localTicketKeyFile = () => join(stackDir, 'secrets', 'ticket-signing-key.pem');

export function loadTicketKeys(env: NodeJS.ProcessEnv = process.env): TicketKeys {
  if (env.SEATSTREAM_TICKET_SIGNING_KEY) return keysFromPem(env.SEATSTREAM_TICKET_SIGNING_KEY);
  if (env.SEATSTREAM_TICKET_SIGNING_KEY_FILE)
    return keysFromPem(readFileSync(env.SEATSTREAM_TICKET_SIGNING_KEY_FILE, 'utf8'));
  const file = localTicketKeyFile();
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, generateTicketKeyPem(), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first: use theirs
    }
  }
  return keysFromPem(readFileSync(file, 'utf8'));
}
