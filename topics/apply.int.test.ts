import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../infra/config.js';
import type { TopicSpec } from './catalog.js';
import { applyTopics, createAdmin, formatApplyResult } from './apply.js';

const { ConfigResourceTypes, ConfigSource } = kafkajs;

describe('applyTopics on a real broker', () => {
  const prefix = `it-topics-${randomUUID()}`;
  const log: TopicSpec = {
    name: `${prefix}.log`,
    partitions: 3,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    cleanupPolicy: 'delete',
    retentionMs: 3_600_000,
    key: 'id',
    doc: 'test log',
  };
  const table: TopicSpec = {
    name: `${prefix}.table`,
    partitions: 2,
    replicationFactor: 3,
    cleanupPolicy: 'compact',
    key: 'id',
    doc: 'test table',
  };
  let admin: Admin;

  const overrides = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      resources[0]!.configEntries
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
        .map((e) => [e.configName, e.configValue]),
    );
  };
  const partitions = async (topic: string) =>
    (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;

  before(async () => {
    admin = createAdmin(kafkaBrokers(loadEndpoints()), 'it-topics');
    await admin.connect();
  });
  after(async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('creates missing topics with the replication the cluster allows and the pinned configs', async () => {
    const result = await applyTopics(admin, [log, table]);
    assert.ok(result.ok, formatApplyResult(result));
    assert.deepEqual(
      result.outcomes.map((o) => o.action),
      ['created', 'created'],
    );
    const rf = Math.min(3, result.brokers);
    assert.equal(result.outcomes[0]!.replicationFactor, rf);
    assert.equal(await partitions(log.name), 3);
    assert.deepEqual(await overrides(log.name), {
      'cleanup.policy': 'delete',
      'retention.ms': '3600000',
      'min.insync.replicas': String(Math.min(2, rf)),
    });
    assert.deepEqual(await overrides(table.name), { 'cleanup.policy': 'compact' });
  });

  it('changes nothing the second time (brokers given as a string: its own admin)', async () => {
    const result = await applyTopics(loadEndpoints().kafka, [log, table]);
    assert.deepEqual(
      result.outcomes.map((o) => [o.action, o.changes, o.drift]),
      [
        ['unchanged', [], []],
        ['unchanged', [], []],
      ],
    );
  });

  it('raises partitions and restores configs that drifted, keeping overrides it does not manage', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: log.name,
          configEntries: [
            { name: 'retention.ms', value: '60000' },
            { name: 'segment.ms', value: '7200000' },
          ],
        },
      ],
    });
    const result = await applyTopics(admin, [{ ...log, partitions: 4 }]);
    assert.ok(result.ok, formatApplyResult(result));
    const [outcome] = result.outcomes;
    assert.equal(outcome!.action, 'updated');
    assert.equal(await partitions(log.name), 4);
    const now = await overrides(log.name);
    assert.equal(now['retention.ms'], '3600000');
    assert.equal(now['cleanup.policy'], 'delete');
    assert.equal(now['segment.ms'], '7200000');
    assert.ok(outcome!.changes.includes('retention.ms: 60000 -> 3600000'), outcome!.changes.join('; '));
  });

  it('reports partitions it cannot remove as drift, applies the rest, and does not fail the run', async () => {
    const result = await applyTopics(admin, [{ ...table, partitions: 1, retentionMs: 1000 }]);
    assert.ok(result.ok);
    const [outcome] = result.outcomes;
    assert.equal(outcome!.action, 'updated');
    assert.match(outcome!.drift.join(), /has 2 partitions, catalog wants 1/);
    assert.equal(await partitions(table.name), 2);
    assert.equal((await overrides(table.name))['retention.ms'], '1000');
  });

  it('fails the run on a topic the broker refuses, and still applies the others', async () => {
    const refused: TopicSpec = {
      ...log,
      name: `${prefix}.refused`,
      retentionMs: undefined,
      cleanupPolicy: 'bogus' as 'delete',
    };
    const fine: TopicSpec = { ...table, name: `${prefix}.fine` };
    const result = await applyTopics(admin, [refused, fine]);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.outcomes.map((o) => o.action),
      ['error', 'created'],
    );
    assert.ok(result.outcomes[0]!.error);
    assert.match(formatApplyResult(result), /error/);
  });
});
