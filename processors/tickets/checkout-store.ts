/**
 * How payment steps land in PostgreSQL (the checkout read model): the `checkouts` row of each checkout, tickets
 * issued on CheckoutCompleted, tickets cancelled on PaymentRefunded. Every write is idempotent — checkouts are
 * guarded by the step's `seq` (an older step never overwrites a newer one), tickets have derived ids — so a batch
 * delivered again after a crash changes nothing.
 */
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { ResultEnvelope } from '../payments/codec.js';
import type { SagaResult } from '../payments/model.js';
import { issueTickets } from './issue.js';

export type CheckoutStep = ResultEnvelope & { result: SagaResult };

const statusOf = (r: SagaResult): 'PENDING' | 'COMPLETED' | 'FAILED' | 'REFUNDED' =>
  r.type === 'CheckoutCompleted'
    ? 'COMPLETED'
    : r.type === 'CheckoutFailed'
      ? 'FAILED'
      : r.type === 'PaymentRefunded'
        ? 'REFUNDED'
        : 'PENDING';

/** Applies steps in order, inside the caller's transaction. */
export async function applyCheckoutSteps(
  db: pg.ClientBase,
  signingKey: KeyObject,
  steps: readonly CheckoutStep[],
): Promise<void> {
  for (const step of steps) {
    const r = step.result;
    const at = new Date(step.occurredAt);
    if (r.type === 'PaymentRefunded' && r.bookingId) {
      await db.query(
        `UPDATE tickets SET status = 'CANCELLED', cancelled_at = $2 WHERE booking_id = $1 AND status = 'VALID'`,
        [r.bookingId, at],
      );
      await db.query(
        `UPDATE checkouts SET status = 'REFUNDED', seq = $2, updated_at = $3 WHERE hold_id = $1 AND status = 'COMPLETED' AND seq < $2`,
        [step.holdId, step.seq, at],
      );
      continue;
    }
    if (!step.checkoutId) continue;
    const completed = r.type === 'CheckoutCompleted' ? r : null;
    const failed = r.type === 'CheckoutFailed' ? r : null;
    const authorised = r.type === 'PaymentAuthorised' ? r : null;
    await db.query(
      `INSERT INTO checkouts (checkout_id, hold_id, event_id, buyer_id, status, code, message, hold_released, booking_id, payment_id,
                              total_minor, currency, seq, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (checkout_id) DO UPDATE SET
         status = CASE WHEN EXCLUDED.status = 'PENDING' THEN checkouts.status ELSE EXCLUDED.status END,
         event_id = CASE WHEN EXCLUDED.event_id = '' THEN checkouts.event_id ELSE EXCLUDED.event_id END,
         code = COALESCE(EXCLUDED.code, checkouts.code),
         message = COALESCE(EXCLUDED.message, checkouts.message),
         hold_released = COALESCE(EXCLUDED.hold_released, checkouts.hold_released),
         booking_id = COALESCE(EXCLUDED.booking_id, checkouts.booking_id),
         payment_id = COALESCE(EXCLUDED.payment_id, checkouts.payment_id),
         total_minor = COALESCE(EXCLUDED.total_minor, checkouts.total_minor),
         currency = COALESCE(EXCLUDED.currency, checkouts.currency),
         seq = EXCLUDED.seq,
         updated_at = EXCLUDED.updated_at
       WHERE checkouts.seq < EXCLUDED.seq`,
      [
        step.checkoutId,
        step.holdId,
        step.eventId,
        step.buyerId,
        statusOf(r),
        failed?.code ?? null,
        failed?.message ?? null,
        failed?.holdReleased ?? null,
        completed?.bookingId ?? null,
        completed?.paymentId ?? authorised?.paymentId ?? null,
        completed?.totalMinor ?? authorised?.amountMinor ?? null,
        completed?.currency ?? authorised?.currency ?? null,
        step.seq,
        at,
      ],
    );
    if (!completed) continue;
    const tickets = issueTickets(signingKey, {
      bookingId: completed.bookingId,
      holdId: step.holdId,
      eventId: step.eventId,
      buyerId: step.buyerId,
      currency: completed.currency,
      seats: completed.seats,
      generalAdmission: completed.generalAdmission,
    });
    for (const t of tickets)
      await db.query(
        `INSERT INTO tickets (ticket_id, booking_id, hold_id, event_id, buyer_id, seat_id, section_id, row_label, seat_label,
                              price_minor, currency, qr, status, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'VALID', $13)
         ON CONFLICT (ticket_id) DO NOTHING`,
        [
          t.ticketId,
          t.bookingId,
          t.holdId,
          t.eventId,
          t.buyerId,
          t.seatId,
          t.sectionId,
          t.rowLabel,
          t.seatLabel,
          t.priceMinor,
          t.currency,
          t.qr,
          at,
        ],
      );
  }
}
