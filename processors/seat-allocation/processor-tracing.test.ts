/**
 * With a tracer provider registered (as main.ts does), each decided command is a span of its own: the decisions
 * carry the command's trace id with the span's id. (processor.test.ts runs without one: the context is copied as is.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initTracing } from '../../infra/telemetry/tracing.js';
import { definition, holdSeats } from './fixtures.js';
import { sinks, TRACEPARENT_HEADER } from './processor.js';
import { AllocatorDriver } from './testing/allocator-driver.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACE = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('SeatAllocator with tracing on', () => {
  let root: string;
  let d: AllocatorDriver;
  before(async () => {
    initTracing('seat-allocation-test', {});
    root = await mkdtemp(join(tmpdir(), 'seat-allocator-tracing-'));
    d = await AllocatorDriver.open(join(root, 'task'), {});
  });
  after(async () => {
    await d.close();
    await rm(root, { recursive: true, force: true });
  });

  it('decisions carry a child of the command context: same trace id, a span id of their own, one per command', async () => {
    await d.pipeCatalog(definition());
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1' }), {
      [TRACEPARENT_HEADER]: Buffer.from(TRACE),
    });
    await d.pipeCommand({ ...holdSeats('bob', ['A-1-2'], { requestId: 'r2' }), traceparent: TRACE });
    await d.pipeCommand(holdSeats('carol', ['A-1-3'], { requestId: 'r3' }));
    const [first, second, third] = d.to(sinks.decisions).map((f) => String(f.headers[TRACEPARENT_HEADER]));
    for (const tp of [first, second]) {
      assert.equal(pattern.exec(tp!)?.[1], TRACE_ID, `${tp} continues the command's trace`);
      assert.notEqual(pattern.exec(tp!)?.[2], 'b7ad6b7169203331');
    }
    assert.notEqual(first, second, 'a span per command');
    assert.match(third!, pattern, 'a command without trace context starts a trace');
    assert.notEqual(pattern.exec(third!)?.[1], TRACE_ID);
  });
});
