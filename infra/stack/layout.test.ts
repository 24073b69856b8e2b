import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localPorts } from '../config.js';
import { allStackPorts, componentPorts, endpointsOf, parseComponentList, stackLayout } from './layout.js';

describe('stack layout', () => {
  it('puts the single broker on the configured Kafka ports', () => {
    const [node, ...rest] = stackLayout('/s').kafka.nodes(1);
    assert.equal(rest.length, 0);
    assert.deepEqual(node, {
      id: 1,
      port: localPorts.kafka,
      controllerPort: localPorts.kafkaController,
      dir: '/s/kafka/single/node-1',
    });
  });

  it('spaces the 3-broker cluster by 100 ports, controllers on the next port, in its own data directory', () => {
    const nodes = stackLayout('/s').kafka.nodes(3);
    assert.deepEqual(
      nodes.map((n) => [n.id, n.port, n.controllerPort]),
      [
        [1, 19092, 19093],
        [2, 19192, 19193],
        [3, 19292, 19293],
      ],
    );
    assert.ok(nodes.every((n) => n.dir.startsWith('/s/kafka/cluster/')));
  });

  it('writes endpoints in the shape loadEndpoints reads', () => {
    const layout = stackLayout('/s');
    assert.deepEqual(endpointsOf(layout, 1), {
      kafka: '127.0.0.1:19092',
      schemaRegistry: 'http://127.0.0.1:18081',
      postgres: 'postgres://seatstream@127.0.0.1:15432/seatstream',
      redis: 'redis://127.0.0.1:16379',
      clickhouse: 'http://127.0.0.1:18123',
    });
    assert.equal(endpointsOf(layout, 3).kafka, '127.0.0.1:19092,127.0.0.1:19192,127.0.0.1:19292');
  });

  it('shifts every port by the offset and keeps the two stacks apart', () => {
    const base = allStackPorts(stackLayout('/a'));
    const shifted = allStackPorts(stackLayout('/b', 10));
    assert.deepEqual(
      shifted,
      base.map((p) => p + 10),
    );
    assert.equal(shifted.filter((p) => base.includes(p)).length, 0);
    assert.equal(
      endpointsOf(stackLayout('/b', 10), 1).postgres,
      `postgres://seatstream@127.0.0.1:${localPorts.postgres + 10}/seatstream`,
    );
  });

  it('lists the ports of both Kafka modes among the stack ports (down must find either)', () => {
    const layout = stackLayout('/s');
    const ports = allStackPorts(layout);
    for (const p of [
      ...componentPorts(layout, 'kafka', 1),
      ...componentPorts(layout, 'kafka', 3),
      localPorts.clickhouseTcp,
    ])
      assert.ok(ports.includes(p), `${p}`);
  });

  it('parses --only lists in stack order and refuses unknown names', () => {
    assert.deepEqual(parseComponentList('postgres, kafka'), ['kafka', 'postgres']);
    assert.throws(() => parseComponentList('kafka,zookeeper'), /unknown component\(s\) zookeeper/);
  });
});
