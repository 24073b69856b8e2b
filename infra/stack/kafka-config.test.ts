import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaServerProperties, newKafkaClusterId } from './kafka-config.js';
import { internalPrincipal, saslMechanism } from './kafka-security.js';
import { stackEndpointsOf, stackLayout } from './layout.js';

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

  it("adds the partners' SASL listener (broker port + 2) beside the unchanged PLAINTEXT one, with the authorizer", () => {
    const nodes = stackLayout('/s').kafka.nodes(3);
    const p = parse(kafkaServerProperties(nodes[1]!, nodes, {}));
    assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:19192,CONTROLLER://127.0.0.1:19193,SASL://127.0.0.1:19194');
    assert.equal(p.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19192,SASL://127.0.0.1:19194');
    assert.equal(
      p.get('listener.security.protocol.map'),
      'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_PLAINTEXT',
    );
    assert.equal(p.get('inter.broker.listener.name'), 'PLAINTEXT');
    assert.equal(p.get('sasl.enabled.mechanisms'), saslMechanism);
    assert.equal(p.get('authorizer.class.name'), 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    assert.equal(p.get('super.users'), internalPrincipal);
    assert.equal(p.get('allow.everyone.if.no.acl.found'), 'false');
    assert.match(p.get('listener.name.sasl.scram-sha-512.sasl.jaas.config') ?? '', /ScramLoginModule required;$/);
    assert.ok(Number(p.get('listener.name.sasl.scram-sha-512.connections.max.reauth.ms')) > 0);
    assert.equal([...p.keys()].filter((k) => k.includes('ssl.')).length, 0, 'no TLS setting without --tls');
  });

  it('serves SASL over TLS with the given keystore when asked (SASL_SSL), the rest unchanged', () => {
    const [node] = stackLayout('/s').kafka.nodes(1);
    const tls = { keystoreFile: '/s/kafka/tls/broker.p12', keystorePassword: 'pw', caFile: '/s/kafka/tls/ca.crt' };
    const p = parse(kafkaServerProperties(node!, [node!], { tls }));
    assert.equal(p.get('listener.security.protocol.map'), 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_SSL');
    assert.equal(p.get('listener.name.sasl.ssl.keystore.location'), tls.keystoreFile);
    assert.equal(p.get('listener.name.sasl.ssl.keystore.type'), 'PKCS12');
    assert.equal(p.get('listener.name.sasl.ssl.keystore.password'), 'pw');
    assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,SASL://127.0.0.1:19094');
  });

  it('names the SASL listener as kafkaSasl among the endpoints, with its protocol and, over TLS, the CA', () => {
    const layout = stackLayout('/s', 10);
    assert.deepEqual(
      {
        kafkaSasl: stackEndpointsOf(layout, 3, false).kafkaSasl,
        protocol: stackEndpointsOf(layout, 3, false).kafkaSaslProtocol,
        ca: stackEndpointsOf(layout, 3, false).kafkaSaslCa,
      },
      { kafkaSasl: '127.0.0.1:19104,127.0.0.1:19204,127.0.0.1:19304', protocol: 'SASL_PLAINTEXT', ca: undefined },
    );
    const tls = stackEndpointsOf(layout, 1, true);
    assert.equal(tls.kafkaSaslProtocol, 'SASL_SSL');
    assert.equal(tls.kafkaSaslCa, '/s/kafka/tls/ca.crt');
    assert.equal(tls.kafka, '127.0.0.1:19102');
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
