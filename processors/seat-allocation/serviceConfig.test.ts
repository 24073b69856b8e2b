import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stackDir } from '../../infra/config.js';
import { ServiceConfigError, serviceConfig } from './serviceConfig.js';

describe('serviceConfig', () => {
  it('has defaults for everything: the host name as instance id, a state directory under .stack, a random port', () => {
    assert.deepEqual(serviceConfig({}, 'node-1.local'), {
      applicationId: 'seat-allocation',
      instanceId: 'node-1.local',
      stateDir: join(stackDir, 'state', 'seat-allocation', 'node-1.local'),
      commitIntervalMs: 100,
      httpHost: '127.0.0.1',
      httpPort: 0,
      expiryIntervalMs: 1000,
      maxCachedEvents: 100,
      sessionTimeoutMs: undefined,
      autoOffsetReset: 'earliest',
    });
  });

  it('reads every SEAT_ALLOCATION_* variable', () => {
    const config = serviceConfig(
      {
        SEAT_ALLOCATION_INSTANCE_ID: 'a',
        SEAT_ALLOCATION_STATE_DIR: '/var/lib/seats',
        SEAT_ALLOCATION_COMMIT_INTERVAL_MS: '50',
        SEAT_ALLOCATION_HTTP_PORT: '9400',
        SEAT_ALLOCATION_EXPIRY_INTERVAL_MS: '500',
        SEAT_ALLOCATION_CACHED_EVENTS: '10',
        SEAT_ALLOCATION_SESSION_TIMEOUT_MS: '6000',
        SEAT_ALLOCATION_APPLICATION_ID: 'seat-allocation-test',
        SEAT_ALLOCATION_AUTO_OFFSET_RESET: 'latest',
      },
      'host',
    );
    assert.deepEqual(
      [config.instanceId, config.stateDir, config.commitIntervalMs, config.httpPort, config.expiryIntervalMs],
      ['a', '/var/lib/seats', 50, 9400, 500],
    );
    assert.deepEqual(
      [config.maxCachedEvents, config.sessionTimeoutMs, config.applicationId, config.autoOffsetReset],
      [10, 6000, 'seat-allocation-test', 'latest'],
    );
    assert.equal(
      serviceConfig({ SEAT_ALLOCATION_INSTANCE_ID: 'b' }, 'host').stateDir,
      join(stackDir, 'state', 'seat-allocation', 'b'),
    );
  });

  it('refuses values it cannot use, naming the variable', () => {
    const refused = (env: Record<string, string>, name: RegExp) =>
      assert.throws(
        () => serviceConfig(env, 'host'),
        (err: unknown) => err instanceof ServiceConfigError && name.test(err.message),
      );
    refused({ SEAT_ALLOCATION_COMMIT_INTERVAL_MS: 'soon' }, /SEAT_ALLOCATION_COMMIT_INTERVAL_MS/);
    refused({ SEAT_ALLOCATION_HTTP_PORT: '70000' }, /SEAT_ALLOCATION_HTTP_PORT/);
    refused({ SEAT_ALLOCATION_INSTANCE_ID: 'a b' }, /SEAT_ALLOCATION_INSTANCE_ID/);
    refused({ SEAT_ALLOCATION_SESSION_TIMEOUT_MS: '1000' }, /SEAT_ALLOCATION_SESSION_TIMEOUT_MS/);
    refused({ SEAT_ALLOCATION_AUTO_OFFSET_RESET: 'none' }, /SEAT_ALLOCATION_AUTO_OFFSET_RESET/);
  });

  it('turns a host name into a usable instance id', () => {
    assert.equal(serviceConfig({}, 'my host').instanceId, 'my-host');
  });
});
