/** Prometheus metrics of the streaming service (GET /metrics). */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Rooms, WorkerPool } from './rooms.js';

export class StreamingMetrics {
  readonly registry = new Registry();
  readonly connections: Gauge;
  readonly producers: Gauge;
  readonly joins: Counter<'role'>;
  readonly refusals: Counter<'code'>;
  readonly closes: Counter<'reason'>;
  readonly pipes: Counter;

  constructor(source: { rooms: () => Rooms | null; workers: () => WorkerPool | null }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.connections = new Gauge({
      name: 'seatstream_stream_connections',
      help: 'Open signalling WebSocket connections',
      registers,
    });
    this.producers = new Gauge({
      name: 'seatstream_stream_producers',
      help: "Broadcasters' producers (audio and video tracks) live on this instance",
      registers,
    });
    new Gauge({
      name: 'seatstream_stream_rooms',
      help: 'Live rooms (events with a broadcaster or viewers) on this instance',
      registers,
      collect() {
        this.set(source.rooms()?.size ?? 0);
      },
    });
    new Gauge({
      name: 'seatstream_stream_viewers',
      help: 'Viewers joined, over every room',
      registers,
      collect() {
        let n = 0;
        for (const r of source.rooms()?.all() ?? []) n += r.viewers;
        this.set(n);
      },
    });
    new Gauge({
      name: 'seatstream_stream_routers',
      help: 'mediasoup routers open (a room has one per worker it spans)',
      registers,
      collect() {
        let n = 0;
        for (const r of source.rooms()?.all() ?? []) n += r.routers.length;
        this.set(n);
      },
    });
    new Gauge({
      name: 'seatstream_stream_worker_cpu_seconds',
      help: 'CPU time used by each mediasoup worker process (user + system)',
      labelNames: ['worker'],
      registers,
      async collect() {
        for (const s of source.workers()?.slots ?? []) {
          const u = await s.worker.getResourceUsage().catch(() => null);
          if (u) this.set({ worker: String(s.index) }, (u.ru_utime + u.ru_stime) / 1000);
        }
      },
    });
    this.joins = new Counter({
      name: 'seatstream_stream_joins_total',
      help: 'Peers that joined a stream, by role',
      labelNames: ['role'],
      registers,
    });
    this.refusals = new Counter({
      name: 'seatstream_stream_join_refusals_total',
      help: 'Joins refused, by error code',
      labelNames: ['code'],
      registers,
    });
    this.closes = new Counter({
      name: 'seatstream_stream_closes_total',
      help: 'Connections ended by the service, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.pipes = new Counter({
      name: 'seatstream_stream_piped_routers_total',
      help: 'Routers opened on another worker and fed through pipeToRouter',
      registers,
    });
  }
}
