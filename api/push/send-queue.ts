/**
 * What waits to be written to one WebSocket connection, bounded (pure: no socket here).
 *
 * Two kinds of frames with two policies:
 * - availability snapshots are conflated per event: only the latest matters (each is complete), so a new one
 *   replaces the one still waiting (drop-oldest). The number waiting is bounded by the connection's subscriptions.
 * - personal events (a hold made, released, expired...) are each news: they wait in order, up to `maxPersonal`;
 *   beyond that the client is too slow to be served and `personal()` says so (the connection is closed: the client
 *   reconnects and resyncs from the read models).
 *
 * Personal events go first: they are rarer and matter more to the one who reads them.
 */
export class SendQueue {
  private personalFrames: string[] = [];
  private head = 0;
  private readonly snapshots = new Map<string, string>();
  /** Snapshots replaced before they could be sent. */
  conflated = 0;

  constructor(private readonly maxPersonal: number) {}

  /** Queues a personal event; false when the queue is full (the frame is not queued). */
  personal(frame: string): boolean {
    if (this.personalFrames.length - this.head >= this.maxPersonal) return false;
    this.personalFrames.push(frame);
    return true;
  }

  /** Queues the latest snapshot of `key`, replacing a waiting one. */
  snapshot(key: string, frame: string): void {
    if (this.snapshots.has(key)) this.conflated++;
    this.snapshots.set(key, frame);
  }

  /** The next frame to write, removed from the queue. */
  next(): string | undefined {
    if (this.head < this.personalFrames.length) {
      const frame = this.personalFrames[this.head++]!;
      if (this.head === this.personalFrames.length) {
        this.personalFrames = [];
        this.head = 0;
      } else if (this.head > 1024) {
        this.personalFrames = this.personalFrames.slice(this.head);
        this.head = 0;
      }
      return frame;
    }
    for (const [key, frame] of this.snapshots) {
      this.snapshots.delete(key);
      return frame;
    }
    return undefined;
  }

  get size(): number {
    return this.personalFrames.length - this.head + this.snapshots.size;
  }

  clear(): void {
    this.personalFrames = [];
    this.head = 0;
    this.snapshots.clear();
  }
}
