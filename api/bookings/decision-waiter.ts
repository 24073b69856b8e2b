/**
 * Correlation of a command with its decision across API replicas, through the push router's Redis channels
 * (connectors/push-router/channels.ts):
 *
 * - every replica listens on its own `reply:<replicaId>` (one subscription for its lifetime), where the router puts
 *   the decisions whose command carried this replica in its reply-to header;
 * - in `request` mode (for an allocator that does not copy the reply-to header to its decisions; the default is
 *   `replica`, since the allocator copies it) the replica also listens on `decision:<requestId>` from just before it
 *   sends the command until it has the decision or stops waiting.
 *
 * Either way a replica receives only the decisions of its own requests. Listening starts before the command is sent
 * (the subscription is confirmed by Redis first), so a decision cannot slip by before the listener is there.
 */
import type { Logger } from '../../infra/log.js';
import type { ReservationDecision } from '../../processors/seat-allocation/model.js';
import { parsePushMessage, type Channels } from '../../connectors/push-router/channels.js';
import type { ChannelHub } from '../push/channel-hub.js';
import type { ReplyChannelMode } from './config.js';

type Resolve = (d: ReservationDecision) => void;

export class DecisionWaiter {
  private readonly waiting = new Map<string, Set<Resolve>>();
  private replySubscription: Promise<unknown> | null = null;

  constructor(
    private readonly hub: ChannelHub,
    private readonly channels: Channels,
    private readonly replicaId: string,
    private readonly mode: ReplyChannelMode,
    private readonly log: Logger,
  ) {}

  /** Requests waiting for their decision on this replica. */
  get pending(): number {
    let n = 0;
    for (const s of this.waiting.values()) n += s.size;
    return n;
  }

  /**
   * Listens for the decision of `requestId`, runs `send` (which produces the command), and resolves with the
   * decision, or with null when it has not come within `waitMs` (0: send and do not wait).
   * @throws what `send` throws, or a Redis failure while subscribing
   */
  async request(requestId: string, waitMs: number, send: () => Promise<void>): Promise<ReservationDecision | null> {
    if (waitMs <= 0) {
      await send();
      return null;
    }
    let resolve!: Resolve;
    const decided = new Promise<ReservationDecision>((r) => (resolve = r));
    const set = this.waiting.get(requestId) ?? new Set<Resolve>();
    set.add(resolve);
    this.waiting.set(requestId, set);
    let unsubscribe: (() => void) | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.listenForReplies();
      if (this.mode === 'request')
        unsubscribe = await this.hub.subscribe(this.channels.decision(requestId), this.onMessage);
      await send();
      const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), waitMs)));
      return await Promise.race([decided, timedOut]);
    } finally {
      clearTimeout(timer);
      set.delete(resolve);
      if (set.size === 0 && this.waiting.get(requestId) === set) this.waiting.delete(requestId);
      unsubscribe?.();
    }
  }

  private listenForReplies(): Promise<unknown> {
    if (!this.replySubscription) {
      const p = this.hub.subscribe(this.channels.reply(this.replicaId), this.onMessage);
      p.catch(() => {
        if (this.replySubscription === p) this.replySubscription = null; // try again with the next request
      });
      this.replySubscription = p;
    }
    return this.replySubscription;
  }

  private readonly onMessage = (text: string): void => {
    const m = parsePushMessage(text);
    if (m?.kind !== 'decision') {
      if (m === null) this.log.warn('unreadable message on a decision channel');
      return;
    }
    const set = this.waiting.get(m.decision.meta.requestId);
    if (set) for (const resolve of [...set]) resolve(m.decision);
  };
}
