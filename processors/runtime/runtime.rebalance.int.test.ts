/**
 * Rebalance test on a real broker, with the counting app as child processes:
 *   1. A runs alone; B joins and the partitions are shared (B restores its new tasks' stores);
 *   2. A is SIGKILLed; B takes A's tasks, restores their stores from the changelogs (it never had
 *      them) and goes on with exact results;
 *   3. with B stopped, one task's store directory is deleted; restarting rebuilds it from the
 *      changelog alone, to the same state.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster, eventually, type TopicReader } from './kafka/test-kit.js';
import { taskDirFor } from './naming.js';
import { AppProcess, stopAll } from './testing/app-process.js';
import { COUNTS_STORE } from './testing/counting.js';
import { readTaskStore } from './testing/stores.js';

const PARTITIONS = 4;

describe('rebalance: two instances, one killed', () => {
  let cluster: TestCluster;
  let root: string;
  const readers: TopicReader[] = [];

  before(async () => {
    cluster = await new TestCluster().connect();
    root = await mkdtemp(join(tmpdir(), 'runtime-rebalance-'));
  });
  after(async () => {
    await stopAll();
    for (const r of readers) await r.stop();
    await cluster.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('moves tasks with their state and keeps exact results; a deleted store is rebuilt the same', async () => {
    const input = await cluster.topic('rebalance-in', PARTITIONS);
    const output = await cluster.topic('rebalance-out', PARTITIONS);
    const applicationId = cluster.appId('rebalance');
    const changelog = `${applicationId}-${COUNTS_STORE}-changelog`;
    const base = { applicationId, input, output, commitIntervalMs: 100, sessionTimeoutMs: 6_000 };
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');

    const expected = new Map<string, number>();
    let produced = 0;
    const produce = async (n: number) => {
      const batch = Array.from({ length: n }, (_, i) => {
        const key = `event-${(produced + i * 7) % 60}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
        return { key, value: `r${produced + i}` };
      });
      produced += n;
      await cluster.produce(input, batch);
    };
    const out = await cluster.reader(output);
    readers.push(out);
    const caughtUp = (what: string) => out.waitUntil(() => out.records.length === produced, 60_000, what);

    // 1. A alone, then B joins: the tasks are shared two and two.
    await produce(1_500);
    const a = new AppProcess({ ...base, stateDir: dirA });
    await a.waitFor(() => a.runningTasks().size === PARTITIONS, 60_000, 'A running every task');
    await caughtUp('A to count the first records');
    const b = new AppProcess({ ...base, stateDir: dirB });
    await eventually(
      () => a.runningTasks().size === 2 && b.runningTasks().size === 2,
      60_000,
      'A and B with two tasks each',
    );
    await produce(1_500);
    await caughtUp('A and B to count the second records');

    // 2. A dies: B takes its tasks, restoring their stores from the changelog.
    const lost = [...a.runningTasks()];
    const eventsBefore = b.events.length;
    a.kill('SIGKILL');
    await a.exited;
    await produce(1_500);
    await b.waitFor(() => b.runningTasks().size === PARTITIONS, 60_000, 'B running every task');
    const takenOver = b.events.slice(eventsBefore).filter((e) => e.event === 'taskOpened');
    for (const p of lost) {
      const opened = takenOver.find((e) => e.partition === p);
      assert.ok(opened, `B opened task ${p}`);
      assert.ok(
        (opened.restored as Record<string, number>)[COUNTS_STORE]! > 0,
        `B restored task ${p} from its changelog`,
      );
    }
    await caughtUp('B to count the records A left');
    b.kill('SIGTERM');
    assert.deepEqual(await b.exited, { code: 0, signal: null });

    const counts = new Map<string, number[]>();
    for (const r of out.records) counts.set(r.key!, [...(counts.get(r.key!) ?? []), Number(r.value!.toString())]);
    for (const [key, n] of expected)
      assert.deepEqual(
        counts.get(key),
        Array.from({ length: n }, (_, i) => i + 1),
        `counts of ${key}`,
      );

    // 3. A deleted store directory is rebuilt from the changelog alone, to the same state.
    const victim = lost[0]!;
    const before = await readTaskStore(dirB, applicationId, victim, COUNTS_STORE, changelog);
    assert.ok(before.entries.size > 0);
    await rm(taskDirFor(dirB, applicationId, `0_${victim}`), { recursive: true, force: true });
    const c = new AppProcess({ ...base, stateDir: dirB });
    await c.waitFor(() => c.runningTasks().size === PARTITIONS, 60_000, 'the restarted instance running every task');
    const rebuilt = c.events.find((e) => e.event === 'taskOpened' && e.partition === victim)!;
    assert.ok((rebuilt.restored as Record<string, number>)[COUNTS_STORE]! > 0, 'the deleted store was restored');
    c.kill('SIGTERM');
    assert.deepEqual(await c.exited, { code: 0, signal: null });
    const afterRebuild = await readTaskStore(dirB, applicationId, victim, COUNTS_STORE, changelog);
    assert.deepEqual(afterRebuild.entries, before.entries);
    // The rebuilt checkpoint may be past the old one by the commit marker that ends the changelog.
    assert.ok(afterRebuild.checkpoint >= before.checkpoint);

    const stored = new Map<string, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      for (const [k, v] of (await readTaskStore(dirB, applicationId, p, COUNTS_STORE, changelog)).entries)
        stored.set(k, Number(v));
    }
    assert.deepEqual(new Map([...stored].sort()), new Map([...expected].sort()));
  });
});
