/**
 * A local SMTP server for `npm start` (`npm run mail-catcher`): accepts every message on 127.0.0.1 and writes it
 * as an .eml file under .stack/mail/, so the notifications service can send e-mail on a developer's machine without
 * a mail relay. Not deployed: Docker Compose runs Mailpit in its place, a cluster points SMTP_URL at a real relay
 * (docs/deployment.md). smtp-server is a dev dependency, as this tool is.
 *
 *   MAIL_CATCHER_PORT   port (default 0: any free port; the chosen one is printed)
 *
 * Prints one JSON line `{"event":"listening","port":N,"dir":…}` once it listens; stops on SIGTERM/SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SMTPServer } from 'smtp-server';
import { stackDir } from '../config.js';

const dir = join(stackDir, 'mail');
mkdirSync(dir, { recursive: true });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  banner: 'SeatStream local mail catcher',
  onData(stream, _session, callback) {
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
    pipeline(stream, createWriteStream(file)).then(
      () => callback(),
      (err: Error) => callback(err),
    );
  },
});
await new Promise<void>((resolve) => server.listen(Number(process.env.MAIL_CATCHER_PORT || 0), '127.0.0.1', resolve));
const port = (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ event: 'listening', port, dir, pid: process.pid })}\n`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
