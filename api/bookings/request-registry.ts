/**
 * What the API remembers of each booking request, in Redis (shared by the replicas), for as long as the allocator
 * remembers its decision (DECISION_RETENTION_MS, plus an hour):
 *
 * - the parameters' fingerprint, to tell a retry (same key, same request: sent again, answered by the replayed
 *   decision) from a reused key (same key, another request: 422), as Idempotency-Key servers do;
 * - the event of the request, so that DELETE /v1/holds/{holdId} finds the event (the command's Kafka key) of a hold
 *   made through the API even before the read models have it;
 * - that the request exists, so that its status URL answers "pending" until its decision is in the read model.
 */
import type { Redis } from '../redis.js';
import { DECISION_RETENTION_MS } from '../../processors/seat-allocation/decider.js';
import type { Operation } from './request-ids.js';

export interface RequestRecord {
  operation: Operation;
  eventId: string;
  buyerId: string;
  fingerprint: string;
  /** When the API first accepted it (epoch ms). */
  at: number;
}

export type Claim =
  { kind: 'new' } | { kind: 'retry'; record: RequestRecord } | { kind: 'conflict'; record: RequestRecord };

const ttlSec = Math.ceil(DECISION_RETENTION_MS / 1000) + 3600;

const isRecord = (v: unknown): v is RequestRecord => {
  const r = v as Partial<RequestRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.operation === 'string' &&
    typeof r.eventId === 'string' &&
    typeof r.buyerId === 'string' &&
    typeof r.fingerprint === 'string' &&
    typeof r.at === 'number'
  );
};

export class RequestRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(requestId: string): string {
    return `${this.prefix}bookings:req:${requestId}`;
  }

  /** Records a request unless it is known; says whether it is new, a retry of the same request, or a reused key. */
  async claim(requestId: string, record: RequestRecord): Promise<Claim> {
    const set = await this.redis.set(this.key(requestId), JSON.stringify(record), 'EX', ttlSec, 'NX');
    if (set === 'OK') return { kind: 'new' };
    const known = await this.get(requestId);
    if (!known) {
      // Expired between the two commands, or unreadable: claim it again (overwriting garbage).
      await this.redis.set(this.key(requestId), JSON.stringify(record), 'EX', ttlSec);
      return { kind: 'new' };
    }
    const same =
      known.operation === record.operation &&
      known.eventId === record.eventId &&
      known.buyerId === record.buyerId &&
      known.fingerprint === record.fingerprint;
    return same ? { kind: 'retry', record: known } : { kind: 'conflict', record: known };
  }

  async get(requestId: string): Promise<RequestRecord | null> {
    const text = await this.redis.get(this.key(requestId));
    if (text === null) return null;
    try {
      const v: unknown = JSON.parse(text);
      return isRecord(v) ? v : null;
    } catch {
      return null;
    }
  }
}
