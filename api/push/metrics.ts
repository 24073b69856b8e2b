/** Prometheus metrics of bookings and live push, registered in the app's registry (`app.metrics`). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class LiveMetrics {
  readonly connections: Gauge;
  readonly channels: Gauge;
  readonly frames: Counter<'kind'>;
  readonly closes: Counter<'reason'>;
  readonly conflated: Counter;
  readonly decisions: Counter<'outcome'>;
  readonly decisionWait: Histogram<'outcome'>;

  constructor(registry: Registry, counts: { connections: () => number; channels: () => number }) {
    const registers = [registry];
    this.connections = new Gauge({
      name: 'seatstream_push_connections',
      help: 'Open WebSocket connections on this replica',
      registers,
      collect() {
        this.set(counts.connections());
      },
    });
    this.channels = new Gauge({
      name: 'seatstream_push_redis_channels',
      help: 'Redis channels this replica is subscribed to',
      registers,
      collect() {
        this.set(counts.channels());
      },
    });
    this.frames = new Counter({
      name: 'seatstream_push_frames_total',
      help: 'Frames queued for WebSocket clients, by kind (availability, me, control)',
      labelNames: ['kind'],
      registers,
    });
    this.closes = new Counter({
      name: 'seatstream_push_closes_total',
      help: 'WebSocket connections ended by the server, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.conflated = new Counter({
      name: 'seatstream_push_snapshots_conflated_total',
      help: 'Availability snapshots replaced by a newer one before a slow client could be sent them',
      registers,
    });
    this.decisions = new Counter({
      name: 'seatstream_booking_requests_total',
      help: 'Booking commands sent, by outcome of the wait (decided, pending)',
      labelNames: ['outcome'],
      registers,
    });
    this.decisionWait = new Histogram({
      name: 'seatstream_booking_decision_wait_seconds',
      help: 'From receiving a booking request to its decision (or to giving up waiting)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
  }
}
