/** The current availability snapshot of an event from the PostgreSQL read model (what a new subscriber gets first). */
import type { AvailabilityView } from '../../processors/seat-allocation/availabilityView.js';
import type { Pool } from '../db/pool.js';

export async function currentAvailability(pool: Pool, eventId: string): Promise<AvailabilityView | null> {
  const { rows } = await pool.query<{
    version: string;
    as_of: Date;
    catalog_version: string;
    totals: AvailabilityView['totals'];
    sections: AvailabilityView['sections'];
    price_categories: AvailabilityView['priceCategories'];
  }>(
    `SELECT version, as_of, catalog_version, totals, sections, price_categories
       FROM availability WHERE event_id = $1`,
    [eventId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    eventId,
    version: Number(r.version),
    asOf: r.as_of.getTime(),
    catalogVersion: Number(r.catalog_version),
    totals: r.totals,
    sections: r.sections,
    priceCategories: r.price_categories,
  };
}
