import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicSpec } from './catalog.js';
import { desiredConfigs, planTopic, specProblems, type ExistingTopic } from './plan.js';

const spec: TopicSpec = {
  name: 'orders.v1',
  partitions: 12,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  cleanupPolicy: 'delete',
  retentionMs: 1000,
  key: 'orderId',
  doc: 'test topic',
};

const pinned = { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'min.insync.replicas': '2' };
const existing = (over: Partial<ExistingTopic> = {}): ExistingTopic => ({
  partitions: 12,
  replicationFactor: 3,
  overrides: { ...pinned },
  ...over,
});

describe('planTopic', () => {
  it('creates a missing topic with min(catalog, brokers) replicas and min.insync.replicas at most that', () => {
    assert.deepEqual(planTopic(spec, undefined, 1), {
      kind: 'create',
      partitions: 12,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'min.insync.replicas': '1' },
    });
    const onFive = planTopic(spec, undefined, 5);
    assert.equal(onFive.kind === 'create' && onFive.replicationFactor, 3);
    assert.equal(onFive.kind === 'create' && onFive.configs['min.insync.replicas'], '2');
  });

  it('changes nothing on a topic that matches', () => {
    assert.deepEqual(planTopic(spec, existing(), 3), {
      kind: 'update',
      raisePartitionsTo: undefined,
      configChanges: [],
      alterTo: undefined,
      drift: [],
      warnings: [],
    });
  });

  it('raises partitions, with a warning about key placement', () => {
    const plan = planTopic(spec, existing({ partitions: 6 }), 3);
    assert.equal(plan.kind === 'update' && plan.raisePartitionsTo, 12);
    assert.match(plan.kind === 'update' ? plan.warnings.join() : '', /6 -> 12/);
  });

  it('reports fewer partitions wanted than exist as drift and leaves them', () => {
    const plan = planTopic(spec, existing({ partitions: 24 }), 3);
    assert.ok(plan.kind === 'update');
    assert.equal(plan.raisePartitionsTo, undefined);
    assert.match(plan.drift.join(), /24 partitions, catalog wants 12/);
  });

  it('reports another replication factor as drift, unless it is the most the cluster allows', () => {
    const low = planTopic(
      spec,
      existing({ replicationFactor: 1, overrides: { ...pinned, 'min.insync.replicas': '1' } }),
      3,
    );
    assert.match(low.kind === 'update' ? low.drift.join() : '', /replication factor 1, catalog wants 3/);
    const small = planTopic(
      spec,
      existing({ replicationFactor: 1, overrides: { ...pinned, 'min.insync.replicas': '1' } }),
      1,
    );
    assert.deepEqual(small.kind === 'update' && small.drift, []);
    const brokerDown = planTopic(spec, existing(), 2);
    assert.deepEqual(brokerDown.kind === 'update' && brokerDown.drift, []);
  });

  it('alters configs that differ and keeps the overrides the catalog does not manage', () => {
    const plan = planTopic(
      spec,
      existing({ overrides: { 'retention.ms': '5', 'segment.bytes': '1048576', 'min.insync.replicas': '2' } }),
      3,
    );
    assert.ok(plan.kind === 'update');
    assert.deepEqual(plan.configChanges, [
      { name: 'cleanup.policy', from: undefined, to: 'delete' },
      { name: 'retention.ms', from: '5', to: '1000' },
    ]);
    assert.deepEqual(plan.alterTo, { ...pinned, 'segment.bytes': '1048576' });
  });

  it('does not alter configs when that would drop an override the broker hides', () => {
    const plan = planTopic(spec, existing({ overrides: { ...pinned, 'retention.ms': '5', secret: null } }), 3);
    assert.ok(plan.kind === 'update');
    assert.equal(plan.alterTo, undefined);
    assert.match(plan.drift.join(), /secret/);
  });
});

describe('desiredConfigs', () => {
  it('pins only what the spec says', () => {
    assert.deepEqual(
      desiredConfigs({ ...spec, retentionMs: undefined, minInsyncReplicas: undefined, cleanupPolicy: 'compact' }, 3),
      {
        'cleanup.policy': 'compact',
      },
    );
  });
});

describe('specProblems', () => {
  it('rejects impossible specs', () => {
    assert.equal(specProblems({ ...spec, name: 'bad name' }).length, 1);
    assert.equal(specProblems({ ...spec, partitions: 0 }).length, 1);
    assert.equal(specProblems({ ...spec, minInsyncReplicas: 4 }).length, 1);
    assert.equal(specProblems({ ...spec, retentionMs: -2 }).length, 1);
    assert.deepEqual(specProblems(spec), []);
  });
});
