/**
 * The availability snapshot as JSON: what the `availability` store keeps for interactive reads and
 * what `GET /events/{eventId}/availability` answers. Same fields as event.availability.v1, with the
 * packed seat states (2 bits per seat, see event-availability.avsc) in base64.
 */
import { Availability, Counts } from './availability.js';

export interface AvailabilityView {
  eventId: string;
  version: number;
  asOf: number;
  catalogVersion: number;
  totals: Counts;
  sections: {
    sectionId: string;
    generalAdmission: boolean;
    counts: Counts;
    /** base64 of the packed seat states. */
    seatStatus: string;
  }[];
  priceCategories: { priceCategoryId: string; counts: Counts }[];
}

export const availabilityView = (a: Availability): AvailabilityView => ({
  eventId: a.eventId,
  version: a.version,
  asOf: a.asOf,
  catalogVersion: a.catalogVersion,
  totals: { ...a.totals },
  sections: a.sections.map((s) => ({
    sectionId: s.sectionId,
    generalAdmission: s.generalAdmission,
    counts: { ...s.counts },
    seatStatus: Buffer.from(s.seatStatus.buffer, s.seatStatus.byteOffset, s.seatStatus.byteLength).toString('base64'),
  })),
  priceCategories: a.priceCategories.map((c) => ({ priceCategoryId: c.priceCategoryId, counts: { ...c.counts } })),
});
