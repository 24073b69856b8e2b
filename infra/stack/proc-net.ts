/**
 * Listening TCP sockets, read from Linux's /proc/net/tcp and /proc/net/tcp6 (no `ss`/`netstat` needed).
 *
 * The parsing is pure (`parseProcNetTcp`); `listeningSockets()` reads the files.
 */
import { readFileSync } from 'node:fs';

export interface Listener {
  /** Dotted IPv4, or IPv6 in full lower-case groups (an IPv4-mapped one as `::ffff:a.b.c.d`). */
  address: string;
  port: number;
  /** Socket inode, to find the process holding it in /proc/<pid>/fd. */
  inode: number;
}

const TCP_LISTEN = '0A';

/** A 32-bit word as /proc prints it: hex of the host's (little-endian) memory, so bytes read backwards. */
function wordBytes(hex8: string): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(hex8.slice(i, i + 2), 16));
  return b.reverse();
}

export function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

export function parseProcNetTcp(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== TCP_LISTEN) continue;
    const [addrHex, portHex] = (cols[1] ?? '').split(':');
    if (!addrHex || !portHex) continue;
    out.push({ address: decodeAddress(addrHex), port: parseInt(portHex, 16), inode: Number(cols[9]) });
  }
  return out;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address.startsWith('::ffff:127.') || address === '0:0:0:0:0:0:0:1';
}

export function listeningSockets(): Listener[] {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return [...parseProcNetTcp(read('/proc/net/tcp')), ...parseProcNetTcp(read('/proc/net/tcp6'))];
}
