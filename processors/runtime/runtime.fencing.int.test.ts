/**
 * Zombie fencing on a real broker: while a runtime processes, someone else initialises its task's
 * transactional id (as a new owner would). The task's next transaction is refused (fenced): the task
 * closes without committing (TaskMigrated), opens again later from the changelog and the committed
 * offsets, and the results stay exact.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster, brokers, type TopicReader } from './kafka/test-kit.js';
import { transactionalIdFor } from './naming.js';
import { StreamRuntime, type TaskClosedEvent, type TaskOpenedEvent } from './runtime.js';
import { countingTopology } from './testing/counting.js';

describe('fencing', () => {
  let cluster: TestCluster;
  let stateDir: string;
  let runtime: StreamRuntime | undefined;
  const readers: TopicReader[] = [];

  before(async () => {
    cluster = await new TestCluster().connect();
    stateDir = await mkdtemp(join(tmpdir(), 'runtime-fencing-'));
  });
  after(async () => {
    await runtime?.close();
    for (const r of readers) await r.stop();
    await cluster.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('closes a fenced task without committing, reopens it and keeps exact counts', async () => {
    const input = await cluster.topic('fencing-in', 1);
    const output = await cluster.topic('fencing-out', 1);
    const applicationId = cluster.appId('fencing');
    const closed: TaskClosedEvent[] = [];
    const opened: TaskOpenedEvent[] = [];
    runtime = new StreamRuntime(countingTopology(input, output), {
      applicationId,
      brokers: brokers(),
      stateDir,
      sessionTimeoutMs: 6_000,
    });
    runtime.on('taskClosed', (e) => closed.push(e)).on('taskOpened', (e) => opened.push(e));
    await runtime.start();
    const out = await cluster.reader(output);
    readers.push(out);
    const send = (from: number, n: number) =>
      cluster.produce(
        input,
        Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % 5}`, value: `v${from + i}` })),
      );

    await send(0, 50);
    await out.waitUntil(() => out.records.length === 50, 30_000, 'the first records');
    await cluster.fence(transactionalIdFor(applicationId, input, 0));
    await send(50, 50);
    await out.waitUntil(() => out.records.length === 100, 60_000, 'the records after the fencing');

    assert.ok(
      closed.some((e) => e.reason === 'migrated' && !e.clean),
      'the fenced task closed as migrated, without committing',
    );
    assert.equal(opened.length, 2, 'opened, then reopened after the fencing');
    const counts = new Map<string, number[]>();
    for (const r of out.records) counts.set(r.key!, [...(counts.get(r.key!) ?? []), Number(r.value!.toString())]);
    for (const [key, list] of counts)
      assert.deepEqual(
        list,
        Array.from({ length: 20 }, (_, i) => i + 1),
        key,
      );
  });
});
