import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { partnerBookingsFor, partnerTopics, topics } from '../../topics/catalog.js';
import { decide, entitlements, partnerAcls, suspensionAcls, type AclBinding } from './entitlements.js';
import { partnerIdPattern, partnerIdProblem, partnerPrincipal, reservedPartnerIds } from './naming.js';

/** Valid partner ids: what partnerIdProblem accepts, drawn from the characters that matter (letters, digits, '-'). */
const partnerId = fc.stringMatching(/^[a-z][a-z0-9-]{2,12}$/).filter((id) => partnerIdProblem(id) === undefined);

const publicTopics = Object.values(partnerTopics).map((t) => t.name);
const internalTopics = Object.values(topics).map((t) => t.name);

describe('partner ids', () => {
  it('accepts lower-case ids with inner hyphens, refuses dots, underscores, edges and reserved words', () => {
    for (const ok of ['acme', 'tix-4-you', 'v12', 'a'.repeat(32)]) assert.equal(partnerIdProblem(ok), undefined, ok);
    for (const bad of ['ab', 'Acme', 'acme.x', 'acme_x', '-acme', 'acme-', 'ac--me', '4you', 'a'.repeat(33), ''])
      assert.match(partnerIdProblem(bad) ?? '', /partner id is/, bad);
    for (const reserved of ['catalog', 'availability', 'sales', 'admin'])
      assert.match(partnerIdProblem(reserved) ?? '', /reserved/, reserved);
  });

  it('reserves the second segment of every public partner topic', () => {
    for (const t of publicTopics) assert.ok(reservedPartnerIds.has(t.split('.')[1]!), t);
    assert.ok(!partnerIdPattern.test('catalog.v1'));
  });
});

describe('partner ACLs', () => {
  const read = (acls: AclBinding[], id: string, topic: string) =>
    decide(acls, partnerPrincipal(id), 'TOPIC', topic, 'READ');

  it("grants each entitlement alone, READ only, and the partner's own consumer groups", () => {
    const acls = partnerAcls('acme', ['catalog']);
    assert.equal(read(acls, 'acme', 'partner.catalog.v1'), true);
    assert.equal(read(acls, 'acme', 'partner.availability.v1'), false);
    assert.equal(read(acls, 'acme', partnerBookingsFor('acme').name), false);
    assert.equal(decide(acls, partnerPrincipal('acme'), 'TOPIC', 'partner.catalog.v1', 'DESCRIBE'), true);
    assert.equal(decide(acls, partnerPrincipal('acme'), 'TOPIC', 'partner.catalog.v1', 'WRITE'), false);
    assert.equal(decide(acls, partnerPrincipal('acme'), 'GROUP', 'partner.acme.dashboard', 'READ'), true);
    assert.equal(decide(acls, partnerPrincipal('acme'), 'GROUP', 'dashboard', 'READ'), false);
    assert.ok(acls.every((a) => a.permission === 'ALLOW' && a.operation === 'READ'));
  });

  it('never lets a partner read, write or join anything of another partner or of the platform, whatever the ids', () => {
    fc.assert(
      fc.property(partnerId, partnerId, fc.subarray([...entitlements]), (a, b, granted) => {
        fc.pre(a !== b);
        const acls = [...partnerAcls(a, granted), ...partnerAcls(b, [...entitlements])];
        const other = [partnerBookingsFor(b).name, `partner.${b}.anything.v9`];
        for (const t of [...other, ...internalTopics, `${b}.bookings.v1`])
          for (const op of ['READ', 'WRITE', 'DESCRIBE', 'DELETE'] as const)
            assert.equal(decide(acls, partnerPrincipal(a), 'TOPIC', t, op), false, `${a} ${op} ${t}`);
        assert.equal(decide(acls, partnerPrincipal(a), 'GROUP', `partner.${b}.x`, 'READ'), false);
        for (const t of publicTopics) assert.equal(decide(acls, partnerPrincipal(a), 'TOPIC', t, 'WRITE'), false);
        assert.equal(decide(acls, partnerPrincipal(a), 'CLUSTER', 'kafka-cluster', 'ALL'), false);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every entitled partner its own bookings topic and every public topic it is entitled to', () => {
    fc.assert(
      fc.property(partnerId, (a) => {
        const acls = partnerAcls(a, [...entitlements]);
        assert.equal(read(acls, a, partnerBookingsFor(a).name), true);
        for (const t of publicTopics) assert.equal(read(acls, a, t), true);
      }),
    );
  });

  it('suspension denies everything while the ALLOW ACLs stay, and resumption (removing the DENYs) restores them', () => {
    const allowAcls = partnerAcls('acme', [...entitlements]);
    const suspended = [...allowAcls, ...suspensionAcls('acme')];
    for (const t of [...publicTopics, partnerBookingsFor('acme').name])
      for (const op of ['READ', 'DESCRIBE'] as const)
        assert.equal(decide(suspended, partnerPrincipal('acme'), 'TOPIC', t, op), false, `${op} ${t}`);
    assert.equal(decide(suspended, partnerPrincipal('acme'), 'GROUP', 'partner.acme.g', 'READ'), false);
    assert.equal(read(allowAcls, 'acme', 'partner.sales.v1'), true);
  });
});
