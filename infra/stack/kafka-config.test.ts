import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaServerProperties, newKafkaClusterId } from './kafka-config.js';
import { stackLayout } from './layout.js';

const parse = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );

describe('Kafka node configuration', () => {
  it('makes a single node a complete development cluster (replication 1 everywhere, no auto-created topics)', () => {
    const [node] = stackLayout('/s').kafka.nodes(1);
    const p = parse(kafkaServerProperties(node!, [node!]));
    assert.equal(p.get('process.roles'), 'broker,controller');
    assert.equal(p.get('controller.quorum.voters'), '1@127.0.0.1:19093');
    for (const k of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'default.replication.factor',
      'min.insync.replicas',
    ])
      assert.equal(p.get(k), '1', k);
    assert.equal(p.get('group.initial.rebalance.delay.ms'), '0');
    assert.equal(p.get('auto.create.topics.enable'), 'false');
    assert.equal(p.get('log.dirs'), '/s/kafka/single/node-1/data');
  });

  it('replicates everything 3 times with min ISR 2 on three nodes, all voters in the quorum', () => {
    const nodes = stackLayout('/s').kafka.nodes(3);
    const p = parse(kafkaServerProperties(nodes[1]!, nodes));
    assert.equal(p.get('node.id'), '2');
    assert.equal(p.get('controller.quorum.voters'), '1@127.0.0.1:19093,2@127.0.0.1:19193,3@127.0.0.1:19293');
    for (const k of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'default.replication.factor',
      'share.coordinator.state.topic.replication.factor',
    ])
      assert.equal(p.get(k), '3', k);
    for (const k of ['min.insync.replicas', 'transaction.state.log.min.isr']) assert.equal(p.get(k), '2', k);
  });

  it('listens and advertises on loopback only', () => {
    const nodes = stackLayout('/s', 10).kafka.nodes(3);
    const p = parse(kafkaServerProperties(nodes[2]!, nodes));
    assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:19302,CONTROLLER://127.0.0.1:19303');
    assert.equal(p.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19302');
  });

  it('makes cluster ids the way Kafka does: 16 random bytes, URL-safe base64 without padding, never a leading dash', () => {
    const ids = Array.from({ length: 200 }, newKafkaClusterId);
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
    }
    assert.equal(new Set(ids).size, ids.length);
  });
});
