/**
 * A partner's access on Kafka, made and unmade: its SCRAM credential, its ACLs, its own topics with their schema
 * subjects, its consumer groups. Every operation is idempotent (safe to repeat after a failure half-way), and goes
 * through the internal listener, whose principal is a super user (infra/stack/kafka-security.ts).
 *
 * kafkajs speaks ACLs (CreateAcls v1: prefixed patterns) and topics; SCRAM credentials go through scram-admin.ts.
 */
import kafkajs from 'kafkajs';
import type { Admin, AclEntry, AclFilter } from 'kafkajs';
import type { Logger } from '../../../infra/log.js';
import type { RegistryClient } from '../../../schemas/registry-client.js';
import { ensureSubjects } from '../../../schemas/subjects.js';
import { applyTopics } from '../../../topics/apply.js';
import { partnerBookingsFor, subjectFor } from '../../../topics/catalog.js';
import { createKafka } from '../../kafka-source/kafka.js';
import {
  partnerAcls,
  suspensionAcls,
  type AclBinding,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclResourceType,
  type Entitlement,
} from '../entitlements.js';
import { partnerGroupPrefix, partnerOwnTopicPrefix, partnerPrincipal, partnerUser } from '../naming.js';
import { createScramAdmin, type ScramAdmin } from './scram-admin.js';
import { scramUpsertion } from './scram.js';

const { AclResourceTypes, ResourcePatternTypes, AclOperationTypes, AclPermissionTypes } = kafkajs;

const resourceCodes: Record<AclResourceType, number> = {
  TOPIC: AclResourceTypes.TOPIC,
  GROUP: AclResourceTypes.GROUP,
  CLUSTER: AclResourceTypes.CLUSTER,
  TRANSACTIONAL_ID: AclResourceTypes.TRANSACTIONAL_ID,
};
const patternCodes: Record<AclPatternType, number> = {
  LITERAL: ResourcePatternTypes.LITERAL,
  PREFIXED: ResourcePatternTypes.PREFIXED,
};
const operationCodes: Record<AclOperation, number> = {
  ALL: AclOperationTypes.ALL,
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  CREATE: AclOperationTypes.CREATE,
  DELETE: AclOperationTypes.DELETE,
  ALTER: AclOperationTypes.ALTER,
  DESCRIBE: AclOperationTypes.DESCRIBE,
};
const permissionCodes: Record<AclPermission, number> = {
  ALLOW: AclPermissionTypes.ALLOW,
  DENY: AclPermissionTypes.DENY,
};
const nameOf = <K extends string>(codes: Record<K, number>, code: number): K | undefined =>
  (Object.entries(codes) as [K, number][]).find(([, c]) => c === code)?.[0];

const toEntry = (b: AclBinding): AclEntry => ({
  resourceType: resourceCodes[b.resourceType],
  resourceName: b.resourceName,
  resourcePatternType: patternCodes[b.patternType],
  principal: b.principal,
  host: b.host,
  operation: operationCodes[b.operation],
  permissionType: permissionCodes[b.permission],
});

const toFilter = (b: AclBinding): AclFilter => toEntry(b) as AclFilter;

const key = (b: AclBinding) =>
  [b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permission].join('|');

/** What Kafka holds for a partner now. */
export interface PartnerKafkaState {
  user: string;
  principal: string;
  /** SCRAM mechanisms the user has a credential for. */
  credentials: string[];
  acls: AclBinding[];
  /** The partner's own topics (by prefix). */
  topics: string[];
}

export interface PartnerKafkaAccess {
  /**
   * Makes the partner's Kafka side match: its own topics (bookings) and their subject when entitled, the SCRAM
   * credential for `password`, exactly the ALLOW ACLs of its entitlements (others removed). DENY ACLs of a
   * suspension are left as they are.
   */
  provision(partnerId: string, granted: readonly Entitlement[], password: string): Promise<void>;
  /** Replaces the SCRAM credential (rotation): new logins need the new password; sessions end at re-authentication. */
  setPassword(partnerId: string, password: string): Promise<void>;
  /** Adds the DENY ACLs: refused from its next request on, connected or not. */
  suspend(partnerId: string): Promise<void>;
  /** Removes the DENY ACLs. */
  resume(partnerId: string): Promise<void>;
  /** Removes every ACL of the principal and its credential: from now on it can do nothing. */
  revoke(partnerId: string): Promise<{ acls: number }>;
  /**
   * Removes the partner's topics and their subjects, and its consumer groups (after `revoke`). A group that still has
   * members (a consumer refused since, whose leave request was refused too) cannot be deleted: it is reported in
   * `groupsLeft`; it empties at its session timeout and its offsets expire with the broker's offset retention
   * (7 days). Without ACLs nobody can use it, and partner ids are never reused.
   */
  purge(partnerId: string): Promise<{ topics: string[]; groups: string[]; groupsLeft: string[] }>;
  describe(partnerId: string): Promise<PartnerKafkaState>;
  close(): Promise<void>;
}

export interface PartnerKafkaAccessOptions {
  /** The internal (PLAINTEXT) listener. */
  brokers: string[];
  registry: RegistryClient;
  log: Logger;
}

export function createPartnerKafkaAccess(options: PartnerKafkaAccessOptions): PartnerKafkaAccess {
  const { brokers, registry, log } = options;
  const scram: ScramAdmin = createScramAdmin({ brokers });
  let adminP: Promise<Admin> | undefined;
  const admin = (): Promise<Admin> => {
    adminP ??= (async () => {
      const a = createKafka({ clientId: 'seatstream-partner-access', brokers, log }).admin();
      await a.connect();
      return a;
    })();
    adminP.catch(() => (adminP = undefined));
    return adminP;
  };

  const aclsOf = async (partnerId: string): Promise<AclBinding[]> => {
    const a = await admin();
    const { resources } = await a.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: partnerPrincipal(partnerId),
      host: '*',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const out: AclBinding[] = [];
    for (const r of resources)
      for (const acl of r.acls) {
        const resourceType = nameOf(resourceCodes, r.resourceType);
        const patternType = nameOf(patternCodes, r.resourcePatternType);
        const operation = nameOf(operationCodes, acl.operation);
        const permission = nameOf(permissionCodes, acl.permissionType);
        if (!resourceType || !patternType || !operation || !permission) continue;
        out.push({
          resourceType,
          patternType,
          resourceName: r.resourceName,
          principal: acl.principal,
          host: '*',
          operation,
          permission,
        });
      }
    return out;
  };

  const create = async (bindings: AclBinding[]) => {
    if (bindings.length) await (await admin()).createAcls({ acl: bindings.map(toEntry) });
  };
  const drop = async (bindings: AclBinding[]) => {
    if (bindings.length) await (await admin()).deleteAcls({ filters: bindings.map(toFilter) });
  };

  const ownTopics = async (partnerId: string) =>
    (await (await admin()).listTopics()).filter((t) => t.startsWith(partnerOwnTopicPrefix(partnerId))).sort();

  return {
    async provision(partnerId, granted, password) {
      if (granted.includes('bookings')) {
        const spec = partnerBookingsFor(partnerId);
        const applied = await applyTopics(await admin(), [spec]);
        if (!applied.ok) throw new Error(`topic ${spec.name}: ${applied.outcomes[0]?.error ?? 'not applied'}`);
        const [subject] = await ensureSubjects([spec], registry);
        if (subject?.action === 'failed') throw new Error(`${subject.subject}: ${subject.problem?.message}`);
      }
      await scram.upsert([scramUpsertion(partnerUser(partnerId), password)]);
      const wanted = partnerAcls(partnerId, granted);
      const have = (await aclsOf(partnerId)).filter((b) => b.permission === 'ALLOW');
      await drop(have.filter((h) => !wanted.some((w) => key(w) === key(h))));
      await create(wanted.filter((w) => !have.some((h) => key(h) === key(w))));
      log.info({ partnerId, entitlements: granted, acls: wanted.length }, 'partner provisioned on Kafka');
    },

    async setPassword(partnerId, password) {
      await scram.upsert([scramUpsertion(partnerUser(partnerId), password)]);
    },

    async suspend(partnerId) {
      await create(suspensionAcls(partnerId));
    },

    async resume(partnerId) {
      await drop(suspensionAcls(partnerId));
    },

    async revoke(partnerId) {
      const acls = await aclsOf(partnerId);
      await (
        await admin()
      ).deleteAcls({
        filters: [
          {
            resourceType: AclResourceTypes.ANY,
            resourcePatternType: ResourcePatternTypes.ANY,
            principal: partnerPrincipal(partnerId),
            host: '*',
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        ],
      });
      await scram.delete([{ user: partnerUser(partnerId), mechanism: 'SCRAM-SHA-512' }]);
      log.info({ partnerId, acls: acls.length }, 'partner access revoked on Kafka');
      return { acls: acls.length };
    },

    async purge(partnerId) {
      const a = await admin();
      const topics = await ownTopics(partnerId);
      if (topics.length) await a.deleteTopics({ topics });
      for (const t of topics) await registry.deleteSubject(subjectFor({ ...partnerBookingsFor(partnerId), name: t }));
      const { groups } = await a.listGroups();
      const mine = groups.map((g) => g.groupId).filter((g) => g.startsWith(partnerGroupPrefix(partnerId)));
      const deleted: string[] = [];
      const left: string[] = [];
      for (const g of mine) {
        try {
          await a.deleteGroups([g]);
          deleted.push(g);
        } catch (err) {
          const codes = (err as { groups?: { error?: { type?: string } }[] }).groups?.map((x) => x.error?.type);
          if (!codes?.every((c) => c === 'NON_EMPTY_GROUP' || c === 'GROUP_ID_NOT_FOUND')) throw err;
          if (codes.includes('NON_EMPTY_GROUP')) left.push(g);
        }
      }
      log.info({ partnerId, topics, groups: deleted, groupsLeft: left }, 'partner data removed from Kafka');
      return { topics, groups: deleted, groupsLeft: left };
    },

    async describe(partnerId) {
      const user = partnerUser(partnerId);
      const creds = await scram.describe([user]);
      return {
        user,
        principal: partnerPrincipal(partnerId),
        credentials: (creds.get(user) ?? []).map((c) => c.mechanism),
        acls: await aclsOf(partnerId),
        topics: await ownTopics(partnerId),
      };
    },

    async close() {
      const p = adminP;
      adminP = undefined;
      if (p) await (await p.catch(() => undefined))?.disconnect();
    },
  };
}
