import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../infra/config.js';
import { catalogSpecs, changelogFor, changelogs, dlqFor, subjectFor, topics, type TopicSpec } from './catalog.js';
import { specProblems } from './plan.js';

describe('topic catalog', () => {
  it('names the topics of the architecture (seat allocation, payments, notifications)', () => {
    assert.deepEqual(
      Object.values(topics).map((t) => [t.name, t.cleanupPolicy, t.key]),
      [
        ['catalog.events.v1', 'compact', 'eventId'],
        ['reservation.commands.v1', 'delete', 'eventId'],
        ['reservation.events.v1', 'delete', 'eventId'],
        ['event.availability.v1', 'compact', 'eventId'],
        ['payment.requests.v1', 'delete', 'holdId'],
        ['payment.results.v1', 'delete', 'holdId'],
        ['notifications.v1', 'delete', 'userId'],
      ],
    );
  });

  it('keeps commands a week and the audit log forever', () => {
    assert.equal(topics.reservationCommands.retentionMs, 7 * 24 * 3600 * 1000);
    assert.equal(topics.reservationEvents.retentionMs, -1);
  });

  it('gives every topic keyed by eventId the same partition count (co-partitioning)', () => {
    const counts = new Set(
      catalogSpecs()
        .filter((s) => s.key === 'eventId')
        .map((s) => s.partitions),
    );
    assert.equal(counts.size, 1);
  });

  it('has unique names and valid specs', () => {
    const specs = catalogSpecs();
    assert.equal(new Set(specs.map((s) => s.name)).size, specs.length);
    for (const spec of specs) assert.deepEqual(specProblems(spec), [], spec.name);
  });

  it('names value schemas that exist under schemas/', () => {
    for (const spec of catalogSpecs()) {
      if (spec.valueSchema) assert.ok(existsSync(join(repoRoot, 'schemas', spec.valueSchema)), spec.valueSchema);
    }
  });

  it('derives dead-letter topics: <topic>.dlq, delete, same partitions, raw bytes', () => {
    const dlq = dlqFor(topics.reservationCommands);
    assert.equal(dlq.name, 'reservation.commands.v1.dlq');
    assert.equal(dlq.cleanupPolicy, 'delete');
    assert.equal(dlq.partitions, topics.reservationCommands.partitions);
    assert.equal(dlq.key, 'eventId');
    assert.equal(dlq.valueSchema, undefined);
    assert.ok(catalogSpecs().some((s) => s.name === 'event.availability.v1.dlq'));
  });

  it('derives changelogs: <app>-<store>-changelog, compacted, partitioned like the source', () => {
    const source: TopicSpec = { ...topics.reservationCommands, partitions: 5 };
    const changelog = changelogFor('app', 'store', source);
    assert.equal(changelog.name, 'app-store-changelog');
    assert.equal(changelog.cleanupPolicy, 'compact');
    assert.equal(changelog.partitions, 5);
    assert.equal(changelog.retentionMs, undefined);
    assert.equal(changelogs.seatAllocationInventory.name, 'seat-allocation-inventory-changelog');
  });

  it('uses TopicNameStrategy subjects', () => {
    assert.equal(subjectFor(topics.reservationEvents), 'reservation.events.v1-value');
  });
});
