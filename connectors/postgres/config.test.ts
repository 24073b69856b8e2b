import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSinkConfig, SinkConfigError } from './config.js';

describe('sink config', () => {
  it('defaults: the read-models consumer, its group, any free port, migrations applied', () => {
    assert.deepEqual(loadSinkConfig({}), {
      consumer: 'read-models',
      groupId: 'seatstream-sink-postgres-read-models',
      httpHost: '127.0.0.1',
      httpPort: 0,
      sessionTimeoutMs: 30_000,
      maxBytesPerPartition: 1024 * 1024,
      migrate: true,
      shutdownGraceMs: 30_000,
    });
  });

  it('reads the environment and refuses what it cannot use', () => {
    const c = loadSinkConfig({
      SINK_POSTGRES_CONSUMER: 'rebuild-2',
      SINK_POSTGRES_MIGRATE: '0',
      SINK_POSTGRES_HTTP_PORT: '9470',
    });
    assert.deepEqual(
      [c.consumer, c.groupId, c.migrate, c.httpPort],
      ['rebuild-2', 'seatstream-sink-postgres-rebuild-2', false, 9470],
    );
    for (const env of [
      { SINK_POSTGRES_CONSUMER: 'a b' },
      { SINK_POSTGRES_HTTP_PORT: '70000' },
      { SINK_POSTGRES_SESSION_TIMEOUT_MS: '1000' },
      { SINK_POSTGRES_MIGRATE: 'yes' },
    ])
      assert.throws(() => loadSinkConfig(env), SinkConfigError, JSON.stringify(env));
  });
});
