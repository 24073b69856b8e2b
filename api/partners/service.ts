/**
 * Partner onboarding: create a partner (its Kafka credential shown once), rotate its secret, suspend, resume and
 * delete it. Every action is audited (partner_audit: who, what, when, the request id) and logged.
 *
 * Consistency between PostgreSQL and Kafka: each action locks the partner's row, applies the Kafka side (idempotent
 * operations), then writes the new state and the audit row in the same transaction. A Kafka failure rolls the row
 * back and answers 503: the action can simply be repeated. Creation first commits the row in 'provisioning' (so a
 * second creation of the id is refused at once), then provisions Kafka; a creation that failed half-way is finished
 * by creating the same partner again.
 */
import type { Entitlement } from '../../connectors/partners/entitlements.js';
import type { PartnerKafkaAccess, PartnerKafkaState } from '../../connectors/partners/kafka/access.js';
import { newPassword } from '../../connectors/partners/kafka/scram.js';
import { partnerGroupPrefix, partnerIdProblem, partnerUser } from '../../connectors/partners/naming.js';
import { newBuyerSalt } from '../../connectors/partners/pseudonyms.js';
import { partnerBookingsFor, partnerTopics } from '../../topics/catalog.js';
import type { Logger } from '../../infra/log.js';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { ApiError } from '../errors.js';
import type { PartnerConnection } from './config.js';
import {
  auditOf,
  findPartner,
  insertAudit,
  insertPartner,
  listPartners,
  setStatus,
  type AuditAction,
  type AuditRow,
  type PartnerKind,
  type PartnerRow,
  type PartnerStatus,
} from './store.js';

export interface PartnerView {
  partnerId: string;
  displayName: string;
  kind: PartnerKind;
  entitlements: Entitlement[];
  status: PartnerStatus;
  credentialVersion: number;
  createdAt: Date;
  updatedAt: Date;
  suspendedAt: Date | null;
  deletedAt: Date | null;
  kafka: { username: string; topics: string[]; consumerGroupPrefix: string };
}

/** Shown once, at creation and rotation: SeatStream keeps no copy of the password. */
export interface PartnerCredentials extends PartnerConnection {
  username: string;
  password: string;
}

/** Where audit lines and warnings go: the request's logger (it carries the request id). */
export type AuditLog = Pick<Logger, 'info' | 'warn'>;

export interface Actor {
  /** The admin's user id (null: an operator command). */
  userId: string | null;
  requestId: string | null;
  log: AuditLog;
}

/** The topics a partner with these entitlements reads (what its ACLs allow). */
export const topicsOf = (partnerId: string, granted: readonly Entitlement[]): string[] =>
  granted.map((e) => (e === 'bookings' ? partnerBookingsFor(partnerId).name : partnerTopics[e].name));

export const partnerView = (row: PartnerRow): PartnerView => ({
  partnerId: row.partner_id,
  displayName: row.display_name,
  kind: row.kind,
  entitlements: row.entitlements,
  status: row.status,
  credentialVersion: row.credential_version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  suspendedAt: row.suspended_at,
  deletedAt: row.deleted_at,
  kafka: {
    username: partnerUser(row.partner_id),
    topics: row.status === 'deleted' ? [] : topicsOf(row.partner_id, row.entitlements),
    consumerGroupPrefix: partnerGroupPrefix(row.partner_id),
  },
});

/** Kafka or the registry refused or did not answer: nothing was committed here; repeat the request. */
const kafkaUnavailable = (err: unknown) =>
  new ApiError(
    'SS_ERR_PARTNER_KAFKA_UNAVAILABLE',
    `Kafka did not apply the change (${err instanceof Error ? err.message : String(err)}); repeat the request`,
  );

export class PartnerService {
  constructor(
    private readonly pool: Pool,
    private readonly kafka: () => PartnerKafkaAccess,
    private readonly connection: () => PartnerConnection,
  ) {}

  async list(): Promise<PartnerView[]> {
    return (await listPartners(this.pool)).map(partnerView);
  }

  async get(partnerId: string): Promise<PartnerView> {
    return partnerView(await this.existing(this.pool, partnerId));
  }

  async audit(partnerId: string): Promise<AuditRow[]> {
    await this.existing(this.pool, partnerId);
    return auditOf(this.pool, partnerId);
  }

  /** What Kafka holds for the partner now (credential, ACLs, topics): for operators checking an onboarding. */
  async kafkaState(partnerId: string, log: AuditLog): Promise<PartnerKafkaState> {
    await this.existing(this.pool, partnerId);
    return this.onKafka(log, (k) => k.describe(partnerId));
  }

  async create(
    input: { partnerId: string; displayName: string; kind: PartnerKind; entitlements: Entitlement[] },
    actor: Actor,
  ): Promise<{ partner: PartnerView; credentials: PartnerCredentials }> {
    const problem = partnerIdProblem(input.partnerId);
    if (problem) throw new ApiError('SS_ERR_PARTNER_ID_REFUSED', problem);
    const connection = this.connection(); // before anything changes: a password must not be made and then lost
    const entitlements = [...new Set(input.entitlements)].sort() as Entitlement[];
    const inserted = await insertPartner(this.pool, { ...input, entitlements, salt: newBuyerSalt() });
    if (!inserted) {
      const row = await findPartner(this.pool, input.partnerId);
      // a creation that failed half-way is finished by the same creation again; anything else is a different partner
      const same =
        row?.status === 'provisioning' &&
        row.display_name === input.displayName &&
        row.kind === input.kind &&
        row.entitlements.join() === entitlements.join();
      if (!same) throw new ApiError('SS_ERR_PARTNER_EXISTS');
    }
    const password = newPassword();
    const row = await inTransaction(this.pool, async (c) => {
      const locked = await this.existing(c, input.partnerId, true);
      if (locked.status !== 'provisioning') throw new ApiError('SS_ERR_PARTNER_EXISTS');
      await this.onKafka(actor.log, (k) => k.provision(input.partnerId, entitlements, password));
      const after = await setStatus(c, input.partnerId, 'active', { rotated: true });
      await this.record(c, input.partnerId, 'created', actor, {
        displayName: input.displayName,
        kind: input.kind,
        entitlements,
      });
      return after;
    });
    return {
      partner: partnerView(row),
      credentials: { ...connection, username: partnerUser(input.partnerId), password },
    };
  }

  async rotate(partnerId: string, actor: Actor): Promise<{ partner: PartnerView; credentials: PartnerCredentials }> {
    const connection = this.connection();
    const password = newPassword();
    const row = await this.act(partnerId, ['active', 'suspended'], async (c, before) => {
      await this.onKafka(actor.log, (k) => k.setPassword(partnerId, password));
      const after = await setStatus(c, partnerId, before.status, { rotated: true });
      await this.record(c, partnerId, 'credentials-rotated', actor, { credentialVersion: after.credential_version });
      return after;
    });
    return { partner: partnerView(row), credentials: { ...connection, username: partnerUser(partnerId), password } };
  }

  async suspend(partnerId: string, reason: string | undefined, actor: Actor): Promise<PartnerView> {
    const row = await this.act(partnerId, ['active', 'suspended'], async (c, before) => {
      await this.onKafka(actor.log, (k) => k.suspend(partnerId));
      if (before.status === 'suspended') return before;
      const after = await setStatus(c, partnerId, 'suspended');
      await this.record(c, partnerId, 'suspended', actor, reason ? { reason } : {});
      return after;
    });
    return partnerView(row);
  }

  async resume(partnerId: string, actor: Actor): Promise<PartnerView> {
    const row = await this.act(partnerId, ['active', 'suspended'], async (c, before) => {
      await this.onKafka(actor.log, (k) => k.resume(partnerId));
      if (before.status === 'active') return before;
      const after = await setStatus(c, partnerId, 'active');
      await this.record(c, partnerId, 'resumed', actor);
      return after;
    });
    return partnerView(row);
  }

  /**
   * Revokes the partner's access on Kafka (ACLs, credential: this must succeed, else nothing changes here), marks it
   * deleted and erases its buyer salt (the projector stops writing for it), then removes its topics, subjects and
   * groups as far as Kafka lets it: what is left is in the audit details, and deleting again (the partner already
   * deleted) tries the removal once more. The row and its audit stay.
   */
  async remove(partnerId: string, actor: Actor): Promise<PartnerView> {
    const row = await this.act(partnerId, ['provisioning', 'active', 'suspended', 'deleted'], async (c, before) => {
      const revoked = await this.onKafka(actor.log, (k) => k.revoke(partnerId));
      const purged = await this.kafka()
        .purge(partnerId)
        .catch((err: unknown) => {
          actor.log.warn({ err, partnerId }, 'partner data not removed from Kafka yet: delete the partner again');
          return { error: err instanceof Error ? err.message : String(err) };
        });
      if (before.status === 'deleted') {
        actor.log.info({ partnerId, purged }, 'deleted partner purged again');
        return before;
      }
      const after = await setStatus(c, partnerId, 'deleted');
      await this.record(c, partnerId, 'deleted', actor, { ...revoked, ...purged });
      return after;
    });
    return partnerView(row);
  }

  private async existing(db: Pool | PoolClient, partnerId: string, forUpdate = false): Promise<PartnerRow> {
    const row = await findPartner(db, partnerId, forUpdate);
    if (!row) throw new ApiError('SS_ERR_PARTNER_NOT_FOUND');
    return row;
  }

  /** Locks the partner's row, checks its state, runs the action; all in one transaction. */
  private act(
    partnerId: string,
    allowed: PartnerStatus[],
    fn: (c: PoolClient, before: PartnerRow) => Promise<PartnerRow>,
  ): Promise<PartnerRow> {
    return inTransaction(this.pool, async (c) => {
      const before = await this.existing(c, partnerId, true);
      if (!allowed.includes(before.status))
        throw new ApiError('SS_ERR_PARTNER_STATE', `the partner is ${before.status}`);
      return fn(c, before);
    });
  }

  private async onKafka<T>(log: AuditLog, fn: (k: PartnerKafkaAccess) => Promise<T>): Promise<T> {
    try {
      return await fn(this.kafka());
    } catch (err) {
      log.warn({ err }, 'partner change not applied on Kafka');
      throw kafkaUnavailable(err);
    }
  }

  private async record(
    c: PoolClient,
    partnerId: string,
    action: AuditAction,
    actor: Actor,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await insertAudit(c, { partnerId, action, actorId: actor.userId, requestId: actor.requestId, details });
    actor.log.info(
      { audit: { partnerId, action, actorId: actor.userId, requestId: actor.requestId, details } },
      `partner ${action}`,
    );
  }
}
