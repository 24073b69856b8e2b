/**
 * mediasoup workers, and one room per live event: the routers that carry it and the broadcaster's producers.
 *
 * A room starts with its origin router, on the least busy worker; the broadcaster's transport and producers live
 * there. Viewers join the router of the room that has room for them (`peersPerRouter`: broadcaster and viewers
 * count); when all are full and a worker without a router of this room is left, the room opens a router there and
 * pipes every producer into it (`router.pipeToRouter`, ids kept), so one popular broadcast spans several workers
 * (CPU cores). With every worker used, the least loaded router takes the viewer. A room closes its routers when its
 * last peer leaves.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '../../infra/log.js';
import type { StreamingConfig } from './config.js';

/** What the routers accept: Opus for sound, VP8 for pictures (Chromium sends VP8 simulcast). */
export const mediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {}, preferredPayloadType: 101 },
];

export interface WorkerSlot {
  index: number;
  worker: types.Worker;
  /** Routers of any room on this worker. */
  routers: number;
}

/** The mediasoup worker processes; a dead worker ends the service (its supervisor restarts it). */
export class WorkerPool {
  private constructor(readonly slots: WorkerSlot[]) {}

  static async start(config: StreamingConfig, log: Logger, onDeath: (err: Error) => void): Promise<WorkerPool> {
    const slots: WorkerSlot[] = [];
    try {
      for (let index = 0; index < config.workers; index++) {
        const worker = await mediasoup.createWorker({ logLevel: 'warn', appData: { index } });
        worker.on('died', (err) => {
          log.error({ err, worker: index, pid: worker.pid }, 'mediasoup worker died');
          onDeath(err);
        });
        slots.push({ index, worker, routers: 0 });
      }
    } catch (err) {
      for (const s of slots) s.worker.close();
      throw err;
    }
    return new WorkerPool(slots);
  }

  /** The worker with the fewest routers, among those not excluded; null when every worker is excluded. */
  leastBusy(exclude: ReadonlySet<number> = new Set()): WorkerSlot | null {
    let best: WorkerSlot | null = null;
    for (const s of this.slots) if (!exclude.has(s.index) && (best === null || s.routers < best.routers)) best = s;
    return best;
  }

  close(): void {
    for (const s of this.slots) s.worker.close();
  }
}

export interface RouterSlot {
  worker: WorkerSlot;
  router: types.Router;
  /** Peers whose transports are on this router. */
  peers: number;
}

export interface RoomEvents {
  producerAdded(producer: types.Producer): void;
  producerClosed(producerId: string): void;
  viewerCount(viewers: number): void;
  /** A router was opened on another worker and fed through pipes. */
  piped(producers: number): void;
  closed(): void;
}

/** One live event's routers and producers. Viewer placement is serialised, so two joins never open two routers. */
export class Room {
  readonly routers: RouterSlot[];
  readonly producers = new Map<string, types.Producer>();
  viewers = 0;
  broadcaster: object | null = null;
  private placing: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly eventId: string,
    origin: RouterSlot,
    private readonly pool: WorkerPool,
    private readonly peersPerRouter: number,
    private readonly events: RoomEvents,
    private readonly log: Logger,
  ) {
    this.routers = [origin];
  }

  get origin(): RouterSlot {
    return this.routers[0]!;
  }

  get isEmpty(): boolean {
    return this.broadcaster === null && this.viewers === 0;
  }

  /** The router a new viewer's transports go on; counts the viewer in. */
  placeViewer(): Promise<RouterSlot> {
    const next = this.placing.then(() => this.choose());
    this.placing = next.catch(() => undefined);
    return next;
  }

  private async choose(): Promise<RouterSlot> {
    if (this.closed) throw new Error(`the room of ${this.eventId} is closed`);
    let slot = this.routers.find((r) => r.peers < this.peersPerRouter);
    if (!slot) {
      const used = new Set(this.routers.map((r) => r.worker.index));
      const worker = this.pool.leastBusy(used);
      if (worker) slot = await this.openPipedRouter(worker);
      else slot = this.routers.reduce((a, b) => (b.peers < a.peers ? b : a));
    }
    slot.peers++;
    this.viewers++;
    this.events.viewerCount(this.viewers);
    return slot;
  }

  private async openPipedRouter(worker: WorkerSlot): Promise<RouterSlot> {
    const router = await worker.worker.createRouter({ mediaCodecs });
    worker.routers++;
    const slot: RouterSlot = { worker, router, peers: 0 };
    this.routers.push(slot);
    for (const producer of this.producers.values()) await this.pipe(producer, slot);
    this.log.info(
      { eventId: this.eventId, worker: worker.index, routers: this.routers.length },
      'router opened on another worker',
    );
    this.events.piped(this.producers.size);
    return slot;
  }

  private async pipe(producer: types.Producer, to: RouterSlot): Promise<void> {
    await this.origin.router.pipeToRouter({ producerId: producer.id, router: to.router, enableSctp: false });
  }

  /** Makes `owner` the broadcaster (on the origin router); false when another one is live. */
  claimBroadcast(owner: object): boolean {
    if (this.closed || (this.broadcaster !== null && this.broadcaster !== owner)) return false;
    if (this.broadcaster === null) this.origin.peers++;
    this.broadcaster = owner;
    return true;
  }

  broadcasterLeft(owner: object): void {
    if (this.broadcaster !== owner) return;
    this.broadcaster = null;
    this.origin.peers = Math.max(0, this.origin.peers - 1);
  }

  /** A viewer left the router it was placed on. */
  viewerLeft(slot: RouterSlot): void {
    slot.peers = Math.max(0, slot.peers - 1);
    this.viewers = Math.max(0, this.viewers - 1);
    this.events.viewerCount(this.viewers);
  }

  /** The broadcaster's new producer (on the origin router): piped to every other router, announced to viewers. */
  async addProducer(producer: types.Producer): Promise<void> {
    this.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      this.producers.delete(producer.id);
      if (!this.closed) this.events.producerClosed(producer.id);
    });
    await (this.placing = this.placing.then(async () => {
      for (const slot of this.routers.slice(1)) await this.pipe(producer, slot);
    }));
    this.events.producerAdded(producer);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.routers) {
      slot.router.close();
      slot.worker.routers--;
    }
    this.events.closed();
  }
}

/** The rooms of this instance, by event id. */
export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly config: StreamingConfig,
    private readonly log: Logger,
    private readonly eventsFor: (eventId: string) => RoomEvents,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  get(eventId: string): Room | undefined {
    return this.rooms.get(eventId);
  }

  /** The room of an event, opened (origin router on the least busy worker) on first use. */
  async open(eventId: string): Promise<Room> {
    const existing = this.rooms.get(eventId);
    if (existing) return existing;
    const worker = this.pool.leastBusy()!;
    worker.routers++;
    let router: types.Router;
    try {
      router = await worker.worker.createRouter({ mediaCodecs });
    } catch (err) {
      worker.routers--;
      throw err;
    }
    const raced = this.rooms.get(eventId);
    if (raced) {
      router.close();
      worker.routers--;
      return raced;
    }
    const room = new Room(
      eventId,
      { worker, router, peers: 0 },
      this.pool,
      this.config.peersPerRouter,
      this.eventsFor(eventId),
      this.log,
    );
    this.rooms.set(eventId, room);
    return room;
  }

  /** Closes a room once nobody is in it. */
  release(room: Room): void {
    if (!room.isEmpty || this.rooms.get(room.eventId) !== room) return;
    this.rooms.delete(room.eventId);
    room.close();
  }

  closeAll(): void {
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }
}
