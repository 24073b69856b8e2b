/**
 * Crash test on a real broker: the counting app runs as a child process over thousands of records
 * while they are being produced, and is SIGKILLed at random points (during restore, processing,
 * commits) several times, then restarted. It is slowed down (1 ms per record, transactions every
 * 50 ms) so that the kills land in the middle of its work. At the end the read_committed output holds, for every key,
 * exactly the counts 1, 2, …, n (no loss, no duplicate), and the store on disk and its changelog hold
 * exactly n. The random seed is printed; CRASH_SEED=<seed> replays the same kill points.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster, type TopicReader } from './kafka/test-kit.js';
import { AppProcess, stopAll } from './testing/app-process.js';
import { COUNTS_STORE } from './testing/counting.js';
import { readTaskStore } from './testing/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32), so a failing run can be replayed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const PARTITIONS = 4;
const KEYS = 150;
const RECORDS = 12_000;
const KILLS = 4;

describe('crash: SIGKILL at random points', () => {
  let cluster: TestCluster;
  let stateDir: string;
  const readers: TopicReader[] = [];

  before(async () => {
    cluster = await new TestCluster().connect();
    stateDir = await mkdtemp(join(tmpdir(), 'runtime-crash-'));
  });
  after(async () => {
    await stopAll();
    for (const r of readers) await r.stop();
    await cluster.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('ends with exactly the right counts in the output, the store and the changelog', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e9));
    console.log(`crash test seed: ${seed} (CRASH_SEED=${seed} replays it)`);
    const random = prng(seed);
    const input = await cluster.topic('crash-in', PARTITIONS);
    const output = await cluster.topic('crash-out', PARTITIONS);
    const applicationId = cluster.appId('crash');
    const config = {
      applicationId,
      input,
      output,
      stateDir,
      commitIntervalMs: 50,
      sessionTimeoutMs: 6_000,
      delayMs: 1,
    };

    const expected = new Map<string, number>();
    const records = Array.from({ length: RECORDS }, (_, i) => {
      const key = `key-${Math.floor(random() * KEYS)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
      return { key, value: `record-${i}` };
    });
    // Input keeps arriving while the app is killed and restarted.
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 2_000) {
        await cluster.produce(input, records.slice(i, i + 2_000));
        await sleep(1_000);
      }
    })();

    const out = await cluster.reader(output);
    readers.push(out);
    for (let kill = 1; kill <= KILLS; kill++) {
      const app = new AppProcess(config);
      const after = random() < 0.3 ? 'assigned' : 'taskOpened';
      await app.waitFor((e) => e.event === after, 60_000, after);
      await sleep(Math.floor(random() * 1_500));
      app.kill('SIGKILL');
      await app.exited;
      console.log(`kill ${kill}: after '${after}', output has ${out.records.length} records`);
    }
    await producing;

    const app = new AppProcess(config);
    const maxCount = () => {
      const max = new Map<string, number>();
      for (const r of out.records) max.set(r.key!, Math.max(max.get(r.key!) ?? 0, Number(r.value!.toString())));
      return max;
    };
    await out.waitUntil(() => [...expected].every(([k, n]) => maxCount().get(k) === n), 120_000, 'every final count');
    await app.waitFor(() => app.runningTasks().size === PARTITIONS, 60_000, 'all tasks running');
    app.kill('SIGTERM');
    assert.deepEqual(await app.exited, { code: 0, signal: null }, 'graceful shutdown on SIGTERM');

    // Output: for each key, exactly 1..n in order.
    const seen = new Map<string, number[]>();
    for (const r of out.records) {
      const list = seen.get(r.key!) ?? [];
      list.push(Number(r.value!.toString()));
      seen.set(r.key!, list);
    }
    for (const [key, n] of expected) {
      assert.deepEqual(
        seen.get(key),
        Array.from({ length: n }, (_, i) => i + 1),
        `counts of ${key}`,
      );
    }
    assert.equal(out.records.length, RECORDS, 'one output per input record');

    // Store on disk: exactly n per key, across the tasks.
    const changelog = `${applicationId}-${COUNTS_STORE}-changelog`;
    const stored = new Map<string, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      const { entries } = await readTaskStore(stateDir, applicationId, p, COUNTS_STORE, changelog);
      for (const [k, v] of entries) stored.set(k, Number(v));
    }
    assert.deepEqual(new Map([...stored].sort()), new Map([...expected].sort()), 'the final store');

    // Changelog: the last value of each key is its count.
    const last = new Map<string, number>();
    for (const r of await cluster.readAll(changelog)) last.set(r.key!, Number(r.value!.toString()));
    assert.deepEqual(new Map([...last].sort()), new Map([...expected].sort()), 'the changelog');
  });
});
