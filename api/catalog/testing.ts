/**
 * Test support for the catalog routes: signed-in organizers (TOTP enrolled) and customers, venue and event bodies
 * from seat-allocation definitions, and removal of the catalog rows a test made.
 */
import type { EventDefinition } from '../../processors/seat-allocation/model.js';
import type { Pool } from '../db/pool.js';
import type { Harness, TestUser } from '../testing/harness.js';
import { sectionsView } from './definition.js';

export interface SignedIn {
  user: TestUser;
  token: string;
}

/** Cheap password hashing for tests that sign many users in. */
export const fastArgon2 = { API_ARGON2_MEMORY_KIB: '4096', API_ARGON2_TIME_COST: '1', API_ARGON2_PARALLELISM: '1' };

export async function customer(h: Harness): Promise<SignedIn> {
  const user = await h.register();
  const res = await h.login(user);
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  return { user, token: (res.json() as { accessToken: string }).accessToken };
}

/** An organizer (or admin) with TOTP enrolled: a session organizer routes accept. */
export async function organizer(h: Harness, role: 'organizer' | 'admin' = 'organizer'): Promise<SignedIn> {
  const user = await h.register();
  await h.setRole(user, role);
  const res = await h.login(user);
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  const { accessToken } = await h.enrolTotp((res.json() as { accessToken: string }).accessToken);
  return { user, token: accessToken };
}

export const venueBodyOf = (def: EventDefinition, patch: Record<string, unknown> = {}) => ({
  name: def.venue.name,
  city: def.venue.city,
  focus: def.venue.focus,
  sections: sectionsView(def.venue.sections),
  ...patch,
});

const DAY = 24 * 60 * 60 * 1000;

export const eventBodyOf = (def: EventDefinition, venueId: string, patch: Record<string, unknown> = {}) => ({
  venueId,
  name: def.name,
  startsAt: new Date(Date.now() + 30 * DAY).toISOString(),
  currency: def.currency,
  priceCategories: def.priceCategories,
  onSaleAt: new Date(Date.now() - DAY).toISOString(),
  offSaleAt: new Date(Date.now() + 20 * DAY).toISOString(),
  maxTicketsPerBuyer: def.maxTicketsPerBuyer,
  holdDurationMs: def.holdDurationMs,
  ...patch,
});

/** Deletes the catalog rows (events, then venues) of these organizers. */
export async function removeCatalogOf(pool: Pool, organizerIds: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ event_id: string }>(
    'DELETE FROM catalog_events WHERE organizer_id = ANY($1::uuid[]) RETURNING event_id',
    [organizerIds],
  );
  await pool.query('DELETE FROM catalog_venues WHERE organizer_id = ANY($1::uuid[])', [organizerIds]);
  return rows.map((r) => r.event_id);
}
