/**
 * The local stack, for real: up → every component answers through its own client, with endpoints from
 * loadEndpoints() → a second up changes nothing → down leaves no process and no listening port.
 *
 * It runs a throwaway stack in its own directory on free ports (a port offset), beside the developer's stack. The
 * directory must be chosen before infra/config.ts is loaded (it reads SEATSTREAM_STACK_DIR once), hence the dynamic
 * imports; endpoint variables from the environment are dropped, since what is tested is the stack started here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'seatstream-stack-it-'));
chmodSync(dir, 0o755); // PostgreSQL runs as its own user when root starts the stack: it must reach its data inside
process.env.SEATSTREAM_STACK_DIR = dir;
for (const v of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL', 'CLICKHOUSE_URL'])
  delete process.env[v];

const { loadEndpoints, kafkaBrokers } = await import('../config.js');
const { stackUp, stackDown, stackStatus, allStackPorts, stackLayout, restartPostgres } = await import('./index.js');
const { freePortOffset, kafkaRoundTrip, processesMentioning } = await import('./test-support.js');
const { listeningSockets, isLoopback } = await import('./proc-net.js');
const { isAlive } = await import('./processes.js');
const { default: pg } = await import('pg');
const { Redis } = await import('ioredis');
const { createClient } = await import('@clickhouse/client');

const portOffset = freePortOffset();
const lines: string[] = [];
const quiet = { portOffset, log: (l: string) => void lines.push(l) };
const stackPorts = allStackPorts(stackLayout(dir, portOffset));
let registryAvailable = false;

describe('local stack (single broker)', { timeout: 600_000 }, () => {
  before(async () => {
    const st = await stackUp(quiet);
    registryAvailable = st.components.some((c) => c.name === 'schemaRegistry' && c.state === 'up');
  });

  after(async () => {
    try {
      await stackDown(quiet);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every component up and writes endpoints.json for loadEndpoints()', async () => {
    const st = await stackStatus({ portOffset });
    for (const c of st.components)
      assert.ok(
        c.state === 'up' || (c.name === 'schemaRegistry' && c.state === 'unavailable'),
        `${c.name} is ${c.state}`,
      );
    assert.deepEqual(loadEndpoints(), st.endpoints);
    assert.equal(loadEndpoints().postgres, `postgres://seatstream@127.0.0.1:${15432 + portOffset}/seatstream`);
  });

  it('listens on loopback only', () => {
    const ours = listeningSockets().filter((l) => stackPorts.includes(l.port));
    assert.ok(ours.length >= 6, `expected the stack's sockets, found ${ours.length}`);
    for (const l of ours) assert.ok(isLoopback(l.address), `port ${l.port} listens on ${l.address}`);
  });

  it('Kafka: produces and consumes, an aborted transaction stays invisible, a committed one is read', async () => {
    const values = await kafkaRoundTrip(kafkaBrokers(loadEndpoints()));
    assert.deepEqual(values, ['plain-1', 'plain-2', 'plain-3', 'committed']);
  });

  it('schema registry: answers GET /subjects with a JSON array', async (t) => {
    if (!registryAvailable) return t.skip('schemas/registry/main.ts is not there yet');
    const res = await fetch(`${loadEndpoints().schemaRegistry}/subjects`);
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(await res.json()));
  });

  it('PostgreSQL: the seatstream role and database, a table round trip', async () => {
    const client = new pg.Client({ connectionString: loadEndpoints().postgres });
    await client.connect();
    try {
      const who = await client.query<{ u: string; d: string }>('select current_user as u, current_database() as d');
      assert.deepEqual(who.rows[0], { u: 'seatstream', d: 'seatstream' });
      await client.query('create temporary table probe (id int primary key, name text)');
      await client.query('insert into probe values ($1, $2)', [7, 'seven']);
      const r = await client.query<{ name: string }>('select name from probe where id = $1', [7]);
      assert.equal(r.rows[0]?.name, 'seven');
    } finally {
      await client.end();
    }
  });

  it('PostgreSQL: committed data survives a crash-like restart (restartPostgres immediate)', async () => {
    const table = `it_stack_${randomUUID().replace(/-/g, '')}`;
    const before = new pg.Client({ connectionString: loadEndpoints().postgres });
    await before.connect();
    await before.query(`create table ${table} (id int primary key)`);
    await before.query(`insert into ${table} values (42)`);
    const lost = new Promise<Error>((resolve) => before.once('error', resolve));
    await restartPostgres({ ...quiet, mode: 'immediate' });
    assert.ok((await lost) instanceof Error, 'the old connection saw the server go');
    await before.end().catch(() => undefined);
    const after = new pg.Client({ connectionString: loadEndpoints().postgres });
    await after.connect();
    try {
      const r = await after.query<{ id: number }>(`select id from ${table}`);
      assert.deepEqual(r.rows, [{ id: 42 }]);
    } finally {
      await after.query(`drop table ${table}`);
      await after.end();
    }
  });

  it('Redis: set and get', async () => {
    const redis = new Redis(loadEndpoints().redis, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const key = `it-stack-${randomUUID()}`;
    try {
      await redis.set(key, 'value', 'EX', 60);
      assert.equal(await redis.get(key), 'value');
    } finally {
      await redis.del(key);
      await redis.quit();
    }
  });

  it('ClickHouse: select, and a MergeTree table round trip through @clickhouse/client', async () => {
    const ch = createClient({
      url: loadEndpoints().clickhouse,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
    const table = `it_stack_${randomUUID().replace(/-/g, '')}`;
    try {
      const one = await (await ch.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json<{ one: number }>();
      assert.deepEqual(one, [{ one: 1 }]);
      await ch.command({
        query: `CREATE TABLE ${table} (id UInt32, at DateTime, name String) ENGINE = MergeTree ORDER BY id`,
      });
      await ch.insert({
        table,
        format: 'JSONEachRow',
        values: [
          { id: 1, at: '2026-01-02T03:04:05Z', name: 'a' },
          { id: 2, at: '2026-01-02 03:04:06', name: 'b' },
        ],
      });
      const rows = await (
        await ch.query({ query: `SELECT id, name FROM ${table} ORDER BY id`, format: 'JSONEachRow' })
      ).json<{ id: number; name: string }>();
      assert.deepEqual(rows, [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    } finally {
      await ch.command({ query: `DROP TABLE IF EXISTS ${table}` });
      await ch.close();
    }
  });

  it('a second up leaves the running components alone', async () => {
    const before = await stackStatus({ portOffset });
    const again = await stackUp(quiet);
    assert.deepEqual(
      again.components.map((c) => [c.name, c.state, c.pids]),
      before.components.map((c) => [c.name, c.state, c.pids]),
    );
    assert.ok(lines.filter((l) => l.includes('already running')).length >= 4);
  });

  it('down stops everything: no process of the stack, no port listening', async () => {
    const pids = (await stackStatus({ portOffset })).components.flatMap((c) => c.pids);
    await stackDown(quiet);
    const st = await stackStatus({ portOffset });
    for (const c of st.components)
      assert.ok(c.state === 'down' || c.state === 'unavailable', `${c.name} is ${c.state}`);
    assert.deepEqual(processesMentioning(dir), []);
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} is alive`);
    assert.deepEqual(
      listeningSockets().filter((l) => stackPorts.includes(l.port)),
      [],
    );
    // and as `ss` sees it, where the machine has it
    let ss: string;
    try {
      ss = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
    } catch {
      return;
    }
    const open = ss.split('\n').map((l) => Number(/:(\d+)\s/.exec(l)?.[1]));
    assert.deepEqual(
      open.filter((p) => stackPorts.includes(p)),
      [],
    );
  });
});
