import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NotLocalError, type RuntimeState } from '../runtime/index.js';
import type { AvailabilityView } from './availabilityView.js';
import { createHttpServer, type ServedRuntime } from './httpServer.js';
import { AVAILABILITY_STORE } from './processor.js';

const view: AvailabilityView = {
  eventId: 'evt/1',
  version: 3,
  asOf: 1,
  catalogVersion: 1,
  totals: { free: 1, held: 1, sold: 0, total: 2 },
  sections: [
    { sectionId: 'A', generalAdmission: false, counts: { free: 1, held: 1, sold: 0, total: 2 }, seatStatus: 'QA==' },
  ],
  priceCategories: [],
};

/** What StreamRuntime answers, for a runtime owning partition 0 only, where event 'evt/1' lives. */
class OnePartitionRuntime implements ServedRuntime {
  status: RuntimeState = 'running';
  queries: [string, unknown][] = [];
  runningPartitions = () => [0];
  metricsText = async () => 'runtime_metric 1\n';
  async query<K, V>(store: string, key: K): Promise<V | undefined> {
    this.queries.push([store, key]);
    if (key === 'elsewhere') throw new NotLocalError(store, 7);
    return (key === 'evt/1' ? view : undefined) as V | undefined;
  }
}

describe('seat-allocation HTTP server', () => {
  const runtime = new OnePartitionRuntime();
  const server = createHttpServer({ runtime, extraMetrics: async () => 'allocator_metric 2\n' });
  let base = '';
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(base + path, { method });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      type,
      body: type.startsWith('application/json') ? await res.json() : await res.text(),
    };
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers an event availability from the store of the local task (URL-encoded ids)', async () => {
    const res = await get('/events/evt%2F1/availability');
    assert.deepEqual([res.status, res.body], [200, view]);
    assert.deepEqual(runtime.queries.at(-1), [AVAILABILITY_STORE, 'evt/1']);
  });

  it('says which partition another instance runs, with a stable code', async () => {
    const res = await get('/events/elsewhere/availability');
    assert.deepEqual(
      [res.status, res.body],
      [404, { code: 'SS_ERR_SEAT_NOT_LOCAL', message: 'partition 7 of event elsewhere runs elsewhere', partition: 7 }],
    );
  });

  it('404 SS_ERR_SEAT_EVENT_NOT_FOUND for an event without snapshot here', async () => {
    const res = await get('/events/unknown/availability');
    assert.equal(res.status, 404);
    assert.equal((res.body as { code: string }).code, 'SS_ERR_SEAT_EVENT_NOT_FOUND');
  });

  it('serves the runtime metrics then the allocator metrics, in Prometheus text', async () => {
    const res = await get('/metrics');
    assert.deepEqual([res.status, res.body], [200, 'runtime_metric 1\nallocator_metric 2\n']);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
  });

  it('reports health with the running partitions, and 503 when the runtime does not run', async () => {
    assert.deepEqual((await get('/health')).body, { status: 'up', state: 'running', partitions: [0] });
    runtime.status = 'closing';
    try {
      const res = await get('/health');
      assert.deepEqual([res.status, res.body], [503, { status: 'down', state: 'closing', partitions: [] }]);
      assert.equal((await get('/events/evt%2F1/availability')).body.code, 'SS_ERR_NOT_READY');
    } finally {
      runtime.status = 'running';
    }
  });

  it('has stable codes for unknown routes and methods', async () => {
    assert.deepEqual((await get('/nope')).body, { code: 'SS_ERR_NOT_FOUND', message: 'no such route' });
    const res = await get('/metrics', 'POST');
    assert.equal(res.status, 405);
    assert.equal((res.body as { code: string }).code, 'SS_ERR_METHOD_NOT_ALLOWED');
  });
});
