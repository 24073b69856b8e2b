import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStackArgs } from './cli-args.js';

describe('stack command line', () => {
  it('reads up with a broker count and a component list', () => {
    assert.deepEqual(parseStackArgs(['up', '--brokers', '3', '--only', 'postgres,kafka']), {
      command: 'up',
      json: false,
      brokers: 3,
      only: ['kafka', 'postgres'],
    });
  });

  it('reads status --json and down with a port offset', () => {
    assert.deepEqual(parseStackArgs(['status', '--json']), { command: 'status', json: true });
    assert.deepEqual(parseStackArgs(['down', '--port-offset', '10']), { command: 'down', json: false, portOffset: 10 });
  });

  it('reads --tls and --no-tls for up', () => {
    assert.equal(parseStackArgs(['up', '--tls']).tls, true);
    assert.equal(parseStackArgs(['up', '--no-tls']).tls, false);
    assert.equal(parseStackArgs(['up']).tls, undefined);
    assert.throws(() => parseStackArgs(['up', '--tls', '--no-tls']), /not both/);
    assert.throws(() => parseStackArgs(['status', '--tls']), /go with up/);
  });

  it('refuses what it cannot do', () => {
    assert.throws(() => parseStackArgs([]), /usage/);
    assert.throws(() => parseStackArgs(['restart']), /usage/);
    assert.throws(() => parseStackArgs(['up', '--brokers', '2']), /1 or 3/);
    assert.throws(() => parseStackArgs(['down', '--brokers', '3']), /goes with up/);
    assert.throws(() => parseStackArgs(['up', '--only', 'kafka,mysql']), /unknown component/);
    assert.throws(() => parseStackArgs(['up', '--port-offset', '-5']), /port-offset/);
    assert.throws(() => parseStackArgs(['up', '--verbose']), /Unknown option/);
  });
});
