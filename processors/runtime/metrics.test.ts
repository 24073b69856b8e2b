import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuntimeMetrics } from './metrics.js';

describe('RuntimeMetrics', () => {
  it('labels lag by task, topic and partition, and forgets a closed task', async () => {
    const m = new RuntimeMetrics('app-1', () => []);
    m.lag.set({ task: '0_1', topic: 'in', partition: '1' }, 5);
    m.lag.set({ task: '0_2', topic: 'in', partition: '2' }, 0);
    let text = await m.text();
    assert.match(text, /^# TYPE seatstream_runtime_consumer_lag gauge$/m);
    assert.match(
      text,
      /^seatstream_runtime_consumer_lag\{task="0_1",topic="in",partition="1",application="app-1"\} 5$/m,
    );
    await m.forgetTask('0_1');
    text = await m.text();
    assert.doesNotMatch(text, /task="0_1"/);
    assert.match(text, /task="0_2"/);
  });

  it('exposes the commit latency as a histogram', async () => {
    const m = new RuntimeMetrics('app-1', () => []);
    m.commitLatency.observe(0.003);
    const text = await m.text();
    assert.match(text, /^# TYPE seatstream_runtime_commit_seconds histogram$/m);
    assert.match(text, /^seatstream_runtime_commit_seconds_bucket\{le="0\.005",application="app-1"\} 1$/m);
  });
});
