/** The partners and partner_audit tables (migration 1795710000000_partners.sql). */
import type { Entitlement } from '../../connectors/partners/entitlements.js';
import type { Pool, PoolClient } from '../db/pool.js';

export type PartnerStatus = 'provisioning' | 'active' | 'suspended' | 'deleted';
export const partnerKinds = ['reseller', 'venue', 'media', 'aggregator'] as const;
export type PartnerKind = (typeof partnerKinds)[number];

export type AuditAction = 'created' | 'credentials-rotated' | 'suspended' | 'resumed' | 'deleted';

export interface PartnerRow {
  partner_id: string;
  display_name: string;
  kind: PartnerKind;
  entitlements: Entitlement[];
  status: PartnerStatus;
  credential_version: number;
  created_at: Date;
  updated_at: Date;
  suspended_at: Date | null;
  deleted_at: Date | null;
}

export interface AuditRow {
  id: string;
  partner_id: string;
  action: AuditAction;
  actor_id: string | null;
  request_id: string | null;
  at: Date;
  details: Record<string, unknown>;
}

type Db = Pool | PoolClient;

const columns =
  'partner_id, display_name, kind, entitlements, status, credential_version, created_at, updated_at, suspended_at, deleted_at';

export async function findPartner(db: Db, partnerId: string, forUpdate = false): Promise<PartnerRow | undefined> {
  const { rows } = await db.query<PartnerRow>(
    `SELECT ${columns} FROM partners WHERE partner_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [partnerId],
  );
  return rows[0];
}

export async function listPartners(db: Db): Promise<PartnerRow[]> {
  const { rows } = await db.query<PartnerRow>(`SELECT ${columns} FROM partners ORDER BY partner_id`);
  return rows;
}

/** Inserts a new partner in 'provisioning'; false when the id is taken (now or ever). */
export async function insertPartner(
  db: Db,
  p: { partnerId: string; displayName: string; kind: PartnerKind; entitlements: readonly Entitlement[]; salt: Buffer },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO partners (partner_id, display_name, kind, entitlements, status, buyer_salt)
     VALUES ($1, $2, $3, $4, 'provisioning', $5) ON CONFLICT (partner_id) DO NOTHING`,
    [p.partnerId, p.displayName, p.kind, p.entitlements, p.salt],
  );
  return rowCount === 1;
}

/** Updates a partner's status (and the timestamps that go with it); returns the row after. */
export async function setStatus(
  db: Db,
  partnerId: string,
  status: PartnerStatus,
  opts: { rotated?: boolean } = {},
): Promise<PartnerRow> {
  const { rows } = await db.query<PartnerRow>(
    `UPDATE partners SET
       status = $2,
       updated_at = now(),
       suspended_at = CASE WHEN $2 = 'suspended' THEN now() WHEN $2 = 'active' THEN NULL ELSE suspended_at END,
       deleted_at = CASE WHEN $2 = 'deleted' THEN now() ELSE deleted_at END,
       buyer_salt = CASE WHEN $2 = 'deleted' THEN NULL ELSE buyer_salt END,
       credential_version = credential_version + CASE WHEN $3 THEN 1 ELSE 0 END
     WHERE partner_id = $1
     RETURNING ${columns}`,
    [partnerId, status, opts.rotated ?? false],
  );
  if (!rows[0]) throw new Error(`partner ${partnerId} vanished`);
  return rows[0];
}

export async function insertAudit(
  db: Db,
  a: {
    partnerId: string;
    action: AuditAction;
    actorId: string | null;
    requestId: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO partner_audit (partner_id, action, actor_id, request_id, details) VALUES ($1, $2, $3, $4, $5)`,
    [a.partnerId, a.action, a.actorId, a.requestId, JSON.stringify(a.details ?? {})],
  );
}

export async function auditOf(db: Db, partnerId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT id::text AS id, partner_id, action, actor_id, request_id, at, details
     FROM partner_audit WHERE partner_id = $1 ORDER BY at, id`,
    [partnerId],
  );
  return rows;
}
