/**
 * Where a record goes (pure): the channels of channels.ts a decision or an availability snapshot is published on.
 *
 * - A decision answering a client command (everything but HoldExpired, whose request id is the punctuator's) goes to
 *   the replica that sent the command: on `reply:<replicaId>` when the decision carries the replica's reply-to
 *   header, else on `decision:<requestId>`, where the waiting replica listens while it waits. Replays too: a replay
 *   answers a retried request.
 * - A decision that is news for the buyer (not a replay) goes to `user:<buyerId>`: HoldExpired included. For
 *   BookingCancelled the buyer is the booking's owner (`ownerId`), not who asked (an operator cancelling on the
 *   owner's behalf).
 * - A snapshot goes to `availability:<eventId>`.
 */
import type { AvailabilityView } from '../../processors/seat-allocation/availabilityView.js';
import type { ReservationDecision } from '../../processors/seat-allocation/model.js';
import { isChannelId, type Channels, type PushMessage } from './channels.js';

export interface Publication {
  channel: string;
  payload: string;
}

const encode = (m: PushMessage): string => JSON.stringify(m);

export function routeDecision(
  channels: Channels,
  decision: ReservationDecision,
  replyTo: string | null,
): Publication[] {
  const out: Publication[] = [];
  const payload = encode({ v: 1, kind: 'decision', decision });
  const { requestId, buyerId, replay } = decision.meta;
  if (decision.type !== 'HoldExpired') {
    if (replyTo !== null && isChannelId(replyTo)) out.push({ channel: channels.reply(replyTo), payload });
    else if (isChannelId(requestId)) out.push({ channel: channels.decision(requestId), payload });
  }
  const buyer = decision.type === 'BookingCancelled' ? decision.ownerId : buyerId;
  if (!replay && buyer !== null && buyer !== 'system' && isChannelId(buyer))
    out.push({ channel: channels.user(buyer), payload });
  return out;
}

export function routeAvailability(channels: Channels, availability: AvailabilityView): Publication[] {
  if (!isChannelId(availability.eventId)) return [];
  return [
    {
      channel: channels.availability(availability.eventId),
      payload: encode({ v: 1, kind: 'availability', availability }),
    },
  ];
}
