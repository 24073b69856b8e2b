/**
 * The partners the projector writes for, with the secret salt of their buyer pseudonyms: the live rows of the
 * `partners` table (api/partners), active or suspended (a suspended partner's records keep accumulating; it reads
 * them once resumed). Cached; refreshed at most every `refreshMs`, and at once (rate-limited) when asked about a
 * partner it does not know: a partner onboarded a moment ago is found at its first booking.
 */
import type pg from 'pg';

export interface PartnerDirectory {
  /** The partner's buyer salt, or undefined when it is not a live partner (unknown, provisioning, deleted). */
  saltOf(partnerId: string): Promise<Buffer | undefined>;
  /** Forgets the cache: the next question reads the table again (after a write to a partner topic failed). */
  invalidate(): void;
}

export interface DirectoryOptions {
  pool: pg.Pool;
  /** Longest age of the cache (default 5 s). */
  refreshMs?: number;
  /** Shortest time between two reads triggered by unknown partners (default 1 s). */
  missRefreshMs?: number;
  now?: () => number;
}

export function createPartnerDirectory(o: DirectoryOptions): PartnerDirectory {
  const refreshMs = o.refreshMs ?? 5_000;
  const missRefreshMs = o.missRefreshMs ?? 1_000;
  const now = o.now ?? Date.now;
  let salts = new Map<string, Buffer>();
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;

  const read = () =>
    (reading ??= (async () => {
      try {
        const { rows } = await o.pool.query<{ partner_id: string; buyer_salt: Buffer }>(
          `SELECT partner_id, buyer_salt FROM partners WHERE status IN ('active', 'suspended')`,
        );
        salts = new Map(rows.map((r) => [r.partner_id, r.buyer_salt]));
        readAt = now();
      } finally {
        reading = undefined;
      }
    })());

  return {
    async saltOf(partnerId) {
      if (now() - readAt > refreshMs) await read();
      if (!salts.has(partnerId) && now() - readAt > missRefreshMs) await read();
      return salts.get(partnerId);
    },
    invalidate() {
      readAt = -Infinity;
    },
  };
}
