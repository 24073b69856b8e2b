import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { logger } from '../../../infra/log.js';
import { jsonSerde, stringSerde } from '../serde.js';
import { prefixEnd, ReadOnlyTypedKeyValueStore, TypedKeyValueStore } from './key-value-store.js';
import { TaskStore } from './task-store.js';

const log = logger('task-store.test');
const b = (s: string) => Buffer.from(s);
const changelog = { topic: 'app-counts-changelog', partition: 3 };

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('TaskStore (RocksDB on disk)', () => {
  let root: string;
  let n = 0;
  const dir = () => join(root, `store-${++n}`);
  const open = (d: string, extra: Partial<Parameters<typeof TaskStore.open>[0]> = {}) =>
    TaskStore.open({ name: 'counts', dir: d, changelog, log, ...extra });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'task-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads its own uncommitted writes, and discard() forgets them', async () => {
    const s = await open(dir());
    s.put(b('a'), b('1'));
    assert.deepEqual(await s.get(b('a')), b('1'));
    s.delete(b('a'));
    assert.equal(await s.get(b('a')), undefined);
    s.put(b('b'), b('2'));
    s.discard();
    assert.equal(await s.get(b('b')), undefined);
    assert.equal(s.hasPendingWrites, false);
    await s.close();
  });

  it('keeps one pending write per key for the changelog, tombstones included', async () => {
    const s = await open(dir());
    s.put(b('a'), b('1'));
    s.put(b('a'), b('2'));
    s.put(b('c'), b('3'));
    s.delete(b('c'));
    const pending = [...s.pendingWrites()].map((r) => [r.key.toString(), r.value?.toString() ?? null]);
    assert.deepEqual(pending.sort(), [
      ['a', '2'],
      ['c', null],
    ]);
    await s.close();
  });

  it('commit() persists data and checkpoint together; a reopened store has both', async () => {
    const d = dir();
    const s = await open(d);
    assert.equal(s.checkpoint, 0);
    s.put(b('a'), b('1'));
    s.put(b('b'), b('2'));
    await s.commit(42);
    assert.equal(s.checkpoint, 42);
    assert.equal(s.hasPendingWrites, false);
    s.put(b('c'), b('uncommitted'));
    await s.close();

    const again = await open(d);
    assert.equal(again.wiped, undefined);
    assert.equal(again.checkpoint, 42);
    assert.deepEqual(await again.get(b('a')), b('1'));
    assert.deepEqual(await again.get(b('b')), b('2'));
    assert.equal(await again.get(b('c')), undefined, 'writes never committed are gone');
    await again.close();
  });

  it('never moves the checkpoint backwards', async () => {
    const s = await open(dir());
    await s.commit(10);
    await s.commit(7);
    assert.equal(s.checkpoint, 10);
    await s.restore([{ key: b('x'), value: b('1') }], 5);
    assert.equal(s.checkpoint, 10);
    await s.close();
  });

  it('getCommitted() never sees a running transaction', async () => {
    const s = await open(dir());
    s.put(b('k'), b('v1'));
    await s.commit(1);
    s.put(b('k'), b('v2'));
    assert.deepEqual(await s.getCommitted(b('k')), b('v1'));
    assert.deepEqual(await s.get(b('k')), b('v2'));
    await s.commit(2);
    assert.deepEqual(await s.getCommitted(b('k')), b('v2'));
    await s.close();
  });

  it('range() merges uncommitted writes over RocksDB in byte order, hiding deletions', async () => {
    const s = await open(dir());
    for (const k of ['a', 'b', 'd', 'f']) s.put(b(k), b(`disk-${k}`));
    await s.commit(4);
    s.put(b('c'), b('buf-c')); // new key between disk keys
    s.put(b('d'), b('buf-d')); // overwrite
    s.delete(b('b')); // delete a committed key
    s.put(b('g'), b('buf-g')); // after every disk key
    const all = (await collect(s.range())).map(([k, v]) => `${k}=${v}`);
    assert.deepEqual(all, ['a=disk-a', 'c=buf-c', 'd=buf-d', 'f=disk-f', 'g=buf-g']);
    const bounded = (await collect(s.range(b('b'), b('f')))).map(([k]) => k.toString());
    assert.deepEqual(bounded, ['c', 'd']);
    const committed = (await collect(s.rangeCommitted())).map(([k]) => k.toString());
    assert.deepEqual(committed, ['a', 'b', 'd', 'f']);
    await s.close();
  });

  it('rolls back to a savepoint: only the writes after it are undone', async () => {
    const s = await open(dir());
    s.put(b('a'), b('1'));
    s.savepoint();
    s.put(b('a'), b('2'));
    s.put(b('new'), b('x'));
    s.delete(b('a'));
    s.rollbackToSavepoint();
    assert.deepEqual(await s.get(b('a')), b('1'));
    assert.equal(await s.get(b('new')), undefined);
    s.releaseSavepoint();
    await s.close();
  });

  it('restore() applies changelog records and the offset to resume from atomically', async () => {
    const d = dir();
    const s = await open(d);
    await s.restore(
      [
        { key: b('a'), value: b('1') },
        { key: b('b'), value: b('2') },
        { key: b('a'), value: null },
      ],
      3,
    );
    assert.equal(await s.get(b('a')), undefined);
    assert.deepEqual(await s.get(b('b')), b('2'));
    await s.close();
    const again = await open(d);
    assert.equal(again.checkpoint, 3);
    await again.close();
  });

  it('a store that cannot be opened is wiped (to be rebuilt from the changelog)', async () => {
    const d = dir();
    const s = await open(d);
    s.put(b('a'), b('1'));
    await s.commit(5);
    await s.close();
    for (const f of await readdir(d))
      if (f === 'CURRENT' || f.startsWith('MANIFEST')) await writeFile(join(d, f), 'garbage');
    const again = await open(d);
    assert.equal(again.wiped, 'corrupt');
    assert.equal(again.checkpoint, 0);
    assert.equal(await again.get(b('a')), undefined);
    await again.close();
  });

  it('a store locked by another handle is never wiped: open waits, then fails with SS_ERR_RUNTIME_STORE_LOCKED', async () => {
    const d = dir();
    const owner = await open(d);
    owner.put(b('a'), b('1'));
    await owner.commit(5);
    await assert.rejects(
      open(d, { lockWaitMs: 200 }),
      (err: Error & { code?: string }) => err.code === 'SS_ERR_RUNTIME_STORE_LOCKED',
    );
    assert.equal((await owner.get(b('a')))?.toString(), '1', 'the owner still has its data');
    // Released while the second open waits: the second open gets the store, data and checkpoint intact.
    const waiting = open(d, { lockWaitMs: 5_000 });
    setTimeout(() => void owner.close(), 150);
    const next = await waiting;
    assert.equal(next.wiped, undefined);
    assert.equal(next.checkpoint, 5);
    assert.equal((await next.get(b('a')))?.toString(), '1');
    await next.close();
  });

  it('a store whose checkpoint names another changelog is wiped', async () => {
    const d = dir();
    const s = await open(d);
    s.put(b('a'), b('1'));
    await s.commit(5);
    await s.close();
    const again = await open(d, { changelog: { topic: 'other-changelog', partition: 3 } });
    assert.equal(again.wiped, 'other-changelog');
    assert.equal(await again.get(b('a')), undefined);
    await again.close();
  });

  it('tells when the checkpoint it found was written', async () => {
    const d = dir();
    const s = await open(d);
    assert.equal(s.checkpointAt, undefined);
    const before = Date.now();
    await s.commit(5);
    await s.close();
    const again = await open(d);
    assert.ok(again.checkpointAt! >= before && again.checkpointAt! <= Date.now());
    await again.close();
  });

  it('reports an approximate size', async () => {
    const s = await open(dir());
    for (let i = 0; i < 1000; i++) s.put(b(`key-${i}`), Buffer.alloc(100, i % 256));
    await s.commit(1000);
    assert.ok(s.approximateNumEntries() >= 900, `entries ~1000, got ${s.approximateNumEntries()}`);
    assert.ok(s.approximateSizeBytes() > 100_000, `bytes > 100k, got ${s.approximateSizeBytes()}`);
    await s.close();
  });
});

describe('typed key-value stores', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kv-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serializes keys and values through the serdes; prefix scans use key bytes', async () => {
    const raw = await TaskStore.open({ name: 'holds', dir: join(root, 'holds'), changelog, log });
    const kv = new TypedKeyValueStore(raw, { keySerde: stringSerde, valueSerde: jsonSerde<{ n: number }>() });
    await kv.put('evt-1:A1', { n: 1 });
    await kv.put('evt-1:A2', { n: 2 });
    await kv.put('evt-2:A1', { n: 3 });
    assert.deepEqual(await kv.get('evt-1:A2'), { n: 2 });
    const scanned = await collect(kv.prefixScan('evt-1:'));
    assert.deepEqual(
      scanned.map((e) => e.key),
      ['evt-1:A1', 'evt-1:A2'],
    );
    const ranged = await collect(kv.range({ gte: 'evt-1:A2', lt: 'evt-2:A1' }));
    assert.deepEqual(ranged, [{ key: 'evt-1:A2', value: { n: 2 } }]);

    const ro = new ReadOnlyTypedKeyValueStore(raw, { keySerde: stringSerde, valueSerde: jsonSerde<{ n: number }>() });
    assert.equal(await ro.get('evt-1:A1'), undefined, 'uncommitted writes are invisible to queries');
    await raw.commit(3);
    assert.deepEqual(await ro.get('evt-1:A1'), { n: 1 });
    assert.equal((await collect(ro.all())).length, 3);
    await raw.close();
  });

  it('prefixEnd() is the first key after every key with the prefix', () => {
    assert.deepEqual(prefixEnd(Buffer.from([1, 2, 3])), Buffer.from([1, 2, 4]));
    assert.deepEqual(prefixEnd(Buffer.from([1, 0xff, 0xff])), Buffer.from([2]));
    assert.equal(prefixEnd(Buffer.from([0xff])), undefined);
  });
});
