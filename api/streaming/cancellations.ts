/**
 * How the streaming service hears that a viewer's booking was cancelled: the push router publishes every decision
 * about a buyer's bookings on Redis `user:<buyerId>` (connectors/push-router/channels.ts, the contract; for a
 * BookingCancelled the channel is the owner's, whoever asked). The service follows the channel of each watching buyer
 * (one subscription per buyer, however many sessions) and ends the sessions whose booking it names.
 */
import type { Redis } from 'ioredis';
import { parsePushMessage, type Channels } from '../../connectors/push-router/channels.js';
import type { Logger } from '../../infra/log.js';

/** The booking a push message cancels, or null (another decision, another kind of message, garbage). */
export function cancelledBooking(text: string): string | null {
  const m = parsePushMessage(text);
  if (m === null || m.kind !== 'decision' || m.decision.type !== 'BookingCancelled') return null;
  return m.decision.bookingId;
}

type OnCancelled = () => void;

export class CancellationWatch {
  /** By channel: the bookings watched on it, and for each the sessions to end. */
  private readonly watched = new Map<string, Map<string, Set<OnCancelled>>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channels: Channels,
    private readonly log: Logger,
  ) {
    subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
  }

  get channelCount(): number {
    return this.watched.size;
  }

  /**
   * Calls `onCancelled` once the booking is cancelled; resolves when the subscription is in place (so a check of the
   * booking's status made after it cannot miss a cancellation). Answers the function that stops watching.
   */
  async watch(buyerId: string, bookingId: string, onCancelled: OnCancelled): Promise<() => void> {
    const channel = this.channels.user(buyerId);
    let bookings = this.watched.get(channel);
    const first = bookings === undefined;
    if (!bookings) this.watched.set(channel, (bookings = new Map()));
    let callbacks = bookings.get(bookingId);
    if (!callbacks) bookings.set(bookingId, (callbacks = new Set()));
    callbacks.add(onCancelled);
    const stop = () => {
      const b = this.watched.get(channel);
      const cbs = b?.get(bookingId);
      if (!b || !cbs || !cbs.delete(onCancelled)) return;
      if (cbs.size === 0) b.delete(bookingId);
      if (b.size > 0) return;
      this.watched.delete(channel);
      this.subscriber
        .unsubscribe(channel)
        .catch((err: unknown) => this.log.warn({ err, channel }, 'unsubscribe failed'));
    };
    try {
      // Subscribing again to a channel already followed is harmless and waits for Redis's acknowledgement as well.
      if (first || this.watched.get(channel) === bookings) await this.subscriber.subscribe(channel);
    } catch (err) {
      stop();
      throw err;
    }
    return stop;
  }

  private dispatch(channel: string, text: string): void {
    const bookings = this.watched.get(channel);
    if (!bookings) return;
    const bookingId = cancelledBooking(text);
    if (bookingId === null) return;
    const callbacks = bookings.get(bookingId);
    if (!callbacks) return;
    this.log.info({ bookingId }, 'booking cancelled: ending its stream sessions');
    for (const cb of [...callbacks]) cb();
  }
}
