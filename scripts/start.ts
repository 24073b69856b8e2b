/**
 * `npm start`: the local platform on one machine.
 *
 *   1. the local stack (Kafka, schema registry, PostgreSQL, Redis, ClickHouse), as `npm run stack:up`;
 *   2. topics, schemas and database migrations;
 *   3. the platform's services, each a child process logging to .stack/logs/platform/<service>.log;
 *   4. a demo organizer, a demo buyer and a demo event (a concert hall of about 3,000 seats and a standing area);
 *   5. the URLs and the demo logins.
 *
 * Ctrl-C stops the services (gracefully, by pid); the stack keeps running for a fast restart
 * (`npm run stack:down` stops it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { localPorts, repoRoot, stackDir } from '../infra/config.js';
import { localGatewayPort, platformServices, type PlatformService } from './platform-services.js';
import { seedDemo } from './seed-demo.js';

const started: { service: PlatformService; child: ChildProcess }[] = [];
const logDir = join(stackDir, 'logs', 'platform');
const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`);

async function runStep(label: string, cmd: string, args: string[]): Promise<void> {
  say(`${label} …`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`${label} failed (exit ${code})`);
}

function startService(service: PlatformService): ChildProcess {
  const logFile = join(logDir, `${service.name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', service.entry], {
    cwd: repoRoot,
    env: { ...process.env, ...service.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  child.on('exit', (code, signal) => {
    if (!stopping) say(`${service.name} exited (${signal ?? code}); its log: ${relative(repoRoot, logFile)}`);
  });
  started.push({ service, child });
  return child;
}

async function waitReady(service: PlatformService, child: ChildProcess): Promise<void> {
  if (!service.readyUrl) return;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `${service.name} exited during start; see ${relative(repoRoot, join(logDir, `${service.name}.log`))}`,
      );
    try {
      const res = await fetch(service.readyUrl);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${service.name} not ready after 60 s; see ${relative(repoRoot, join(logDir, `${service.name}.log`))}`,
  );
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  for (const { service, child } of [...started].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const done = await Promise.race([
      new Promise<boolean>((r) => child.once('exit', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
    ]);
    if (!done) child.kill('SIGKILL');
    say(`stopped ${service.name}`);
  }
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const { stackUp } = await import('../infra/stack/index.js');
  say('local stack …');
  await stackUp({});
  await runStep('topics', 'npx', ['tsx', 'topics/apply.ts']);
  await runStep('schemas', 'npx', ['tsx', 'schemas/check.ts']);
  await runStep('PostgreSQL migrations', 'npx', ['tsx', 'api/db/migrate.ts']);
  await runStep('ClickHouse migrations', 'npx', ['tsx', 'connectors/clickhouse/migrate.ts']);
  for (const service of platformServices) {
    say(`starting ${service.name}`);
    await waitReady(service, startService(service));
  }
  say('seeding the demo …');
  const demo = await seedDemo();
  const api = `http://127.0.0.1:${localPorts.api}`;
  const gateway = `http://127.0.0.1:${localGatewayPort}`;
  console.log(`
SeatStream is running (${((Date.now() - t0) / 1000).toFixed(0)} s).

  Buyer's page        ${api}/
  API + OpenAPI UI    ${api}/docs
  Dashboards          ${api}/dashboards
  API metrics         ${api}/metrics
  Demo event          ${demo.eventName}: ${api}/v1/events/${demo.eventId}
  Live stream         ${gateway}/broadcast.html?event=${demo.eventId} (organizer), ${gateway}/watch.html?event=${demo.eventId} (ticket holders)

  Demo buyer          ${demo.buyer.email} / ${demo.buyer.password}
  Demo organizer      ${demo.organizer.email} / ${demo.organizer.password} (enrols a TOTP second factor at first login)

  Service logs        ${relative(repoRoot, logDir)}/
  Stack               npm run stack:status

Ctrl-C stops the services; the stack keeps running (npm run stack:down stops it).`);
}

process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));
main().catch(async (err: unknown) => {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
