/**
 * The notifier on the stream runtime: turns what happens into notifications (notifications.v1, key userId), each
 * rendered in its recipient's language (templates.ts). Three co-partitioned sources:
 *
 *   payment.results.v1    CheckoutCompleted → BOOKING_CONFIRMED, CheckoutFailed → PAYMENT_FAILED,
 *                         PaymentRefunded → BOOKING_REFUNDED
 *   reservation.events.v1 SeatsHeld starts a timer: HOLD_EXPIRING shortly before expiresAt unless the hold ended
 *   catalog.events.v1     a new start time, venue or name → EVENT_CHANGED; status CANCELLED → EVENT_CANCELLED,
 *                         to every holder of a valid ticket
 *
 * State (store `notices`): live holds and their warning times, the last known summary of each event. Notification
 * ids are derived from their cause, so a record processed again gives the same id and delivery deduplicates it.
 */
import { ORIGIN_HEADER } from '../seat-allocation/headers.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { Notification } from '../../schemas/generated/notification.js';
import type { PaymentResult } from '../../schemas/generated/payment-result.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '../runtime/index.js';
import { resultFromAvro } from '../payments/codec.js';
import type { Directory } from './directory.js';
import { render, type NotificationKind, type TemplateParams } from './templates.js';

export const NOTICES_STORE = 'notices';
export const NOTIFICATIONS_SINK = 'notifications';

interface LiveHold {
  buyerId: string;
  eventId: string;
  expiresAt: number;
  warnAt: number;
}
interface EventSummary {
  name: string;
  startsAt: number | null;
  venue: string;
  status: string;
  version: number;
}

export interface NotifierOptions {
  directory: Directory;
  /** Whose reservation decisions are trusted (default seat-allocation). */
  allocatorApplicationId?: string;
  /** Warn this long before a hold expires, at most a third of the hold's life (default 2 minutes). */
  warnBeforeMs?: number;
  tickMs?: number;
  now?: () => number;
}

const wrap = (v: string | null): null | { string: string } => (v === null ? null : { string: v });
const holdKey = (holdId: string) => `h/${holdId}`;
const warnKey = (at: number, holdId: string) => `w/${String(Math.max(0, at)).padStart(15, '0')}/${holdId}`;
const eventKey = (eventId: string) => `e/${eventId}`;

type Source = PaymentResult | ReservationEvent | CatalogEvent | null;

export class Notifier implements Processor<string, Source, string, Notification> {
  private context!: ProcessorContext<string, Notification>;
  private store!: KeyValueStore<string, unknown>;
  private readonly now: () => number;

  constructor(private readonly o: NotifierOptions) {
    this.now = o.now ?? Date.now;
  }

  init(context: ProcessorContext<string, Notification>): void {
    this.context = context;
    this.store = context.store(NOTICES_STORE);
    context.schedule(this.o.tickMs ?? 1_000, 'wall-clock', () => this.warnExpiring());
  }

  async process(record: StreamRecord<string, Source>): Promise<void> {
    const v = record.value;
    if (v === null) return; // a catalog tombstone
    if ('result' in v) return this.onPayment(v);
    if ('decision' in v) {
      const origin = record.headers[ORIGIN_HEADER];
      const text = Array.isArray(origin) ? String(origin[0]) : String(origin ?? '');
      if (!text.startsWith(`${this.o.allocatorApplicationId ?? 'seat-allocation'}/`) || v.replay) return;
      return this.onDecision(v);
    }
    return this.onCatalog(v);
  }

  private async onPayment(avro: PaymentResult): Promise<void> {
    const step = resultFromAvro(avro);
    const r = step.result;
    let kind: NotificationKind;
    const params: TemplateParams = {};
    let bookingId: string | null = null;
    if (r.type === 'CheckoutCompleted') {
      kind = 'BOOKING_CONFIRMED';
      bookingId = r.bookingId;
      Object.assign(params, {
        bookingId,
        tickets: r.seats.length + (r.generalAdmission?.quantity ?? 0),
        amountMinor: r.totalMinor,
        currency: r.currency,
      });
    } else if (r.type === 'CheckoutFailed') {
      if (r.code === 'PAY_NOT_HOLD_OWNER') return; // an intruder: not the owner's news
      kind = 'PAYMENT_FAILED';
      params.reason = r.code;
    } else if (r.type === 'PaymentRefunded') {
      kind = 'BOOKING_REFUNDED';
      bookingId = r.bookingId;
      Object.assign(params, { bookingId: r.bookingId ?? '', amountMinor: r.amountMinor, currency: r.currency });
    } else return;
    params.eventName = (step.eventId && (await this.o.directory.eventName(step.eventId))) || '';
    await this.notify(kind, step.buyerId, `${kind}:${step.holdId}:${step.seq}`, params, step.locale, {
      eventId: step.eventId || null,
      holdId: step.holdId,
      bookingId,
    });
  }

  private async onDecision(e: ReservationEvent): Promise<void> {
    const [name, raw] = Object.entries(e.decision)[0]! as [string, { holdId: string; expiresAt?: number }];
    const type = name.slice(name.lastIndexOf('.') + 1);
    if (type === 'SeatsHeld') {
      const life = raw.expiresAt! - e.occurredAt;
      const warnAt = raw.expiresAt! - Math.min(this.o.warnBeforeMs ?? 120_000, Math.floor(life / 3));
      await this.store.put(holdKey(raw.holdId), {
        buyerId: e.buyerId,
        eventId: e.eventId,
        expiresAt: raw.expiresAt!,
        warnAt,
      } satisfies LiveHold);
      await this.store.put(warnKey(warnAt, raw.holdId), 1);
    } else if (type === 'HoldExpired' || type === 'HoldReleased' || type === 'BookingConfirmed')
      await this.forget(raw.holdId);
  }

  private async forget(holdId: string): Promise<void> {
    const h = (await this.store.get(holdKey(holdId))) as LiveHold | undefined;
    if (!h) return;
    await this.store.delete(holdKey(holdId));
    await this.store.delete(warnKey(h.warnAt, holdId));
  }

  private async warnExpiring(): Promise<void> {
    const now = this.now();
    const due: { key: string; holdId: string }[] = [];
    for await (const { key } of this.store.range({ gte: 'w/', lt: warnKey(now + 1, '') })) {
      due.push({ key, holdId: key.slice(key.indexOf('/', 2) + 1) });
      if (due.length >= 500) break;
    }
    for (const { holdId } of due) {
      const h = (await this.store.get(holdKey(holdId))) as LiveHold | undefined;
      await this.forget(holdId);
      if (!h || h.expiresAt <= now) continue;
      const summary = (await this.store.get(eventKey(h.eventId))) as EventSummary | undefined;
      const eventName = summary?.name ?? (await this.o.directory.eventName(h.eventId)) ?? '';
      await this.notify(
        'HOLD_EXPIRING',
        h.buyerId,
        `HOLD_EXPIRING:${holdId}`,
        { eventName, minutes: Math.max(1, Math.round((h.expiresAt - now) / 60_000)) },
        null,
        {
          eventId: h.eventId,
          holdId,
          bookingId: null,
        },
      );
    }
  }

  private async onCatalog(c: CatalogEvent): Promise<void> {
    const previous = (await this.store.get(eventKey(c.eventId))) as EventSummary | undefined;
    if (previous && c.version <= previous.version) return;
    const next: EventSummary = {
      name: c.name,
      startsAt: c.startsAt === null ? null : c.startsAt.long,
      venue: c.venue.name,
      status: c.status,
      version: c.version,
    };
    await this.store.put(eventKey(c.eventId), next);
    if (!previous) return;
    let kind: NotificationKind | null = null;
    if (next.status === 'CANCELLED' && previous.status !== 'CANCELLED') kind = 'EVENT_CANCELLED';
    else if (next.startsAt !== previous.startsAt || next.venue !== previous.venue || next.name !== previous.name)
      kind = 'EVENT_CHANGED';
    if (!kind) return;
    const holders = await this.o.directory.holders(c.eventId);
    const locales = await this.o.directory.locales(holders);
    for (const userId of holders)
      await this.notify(
        kind,
        userId,
        `${kind}:${c.eventId}:${c.version}`,
        { eventName: c.name, startsAt: next.startsAt },
        locales.get(userId) ?? null,
        {
          eventId: c.eventId,
          holdId: null,
          bookingId: null,
        },
      );
  }

  private async notify(
    kind: NotificationKind,
    userId: string,
    cause: string,
    params: TemplateParams,
    locale: string | null,
    about: { eventId: string | null; holdId: string | null; bookingId: string | null },
  ): Promise<void> {
    if (!userId) return;
    const lang = locale ?? (await this.o.directory.locales([userId])).get(userId) ?? null;
    const r = render(kind, lang, params);
    const value: Notification = {
      notificationId: `N-${cause}:${userId}`,
      userId,
      kind,
      locale: r.locale,
      direction: r.direction,
      title: r.title,
      body: r.body,
      eventId: wrap(about.eventId),
      holdId: wrap(about.holdId),
      bookingId: wrap(about.bookingId),
      occurredAt: this.now(),
    };
    await this.context.forward(NOTIFICATIONS_SINK, userId, value);
  }
}
