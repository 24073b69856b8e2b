/** Prometheus metrics of the push router. */
import type { KafkaMessage } from 'kafkajs';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class PushRouterMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({
    name: 'seatstream_push_router_records_total',
    help: 'Records read, by topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly stale = new Counter({
    name: 'seatstream_push_router_stale_records_total',
    help: 'Records skipped because they were older than the maximum age',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly undecodable = new Counter({
    name: 'seatstream_push_router_undecodable_records_total',
    help: 'Records skipped because they did not decode',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly publications = new Counter({
    name: 'seatstream_push_router_publications_total',
    help: 'Redis PUBLISH commands sent',
    registers: [this.registry],
  });
  readonly delay = new Histogram({
    name: 'seatstream_push_router_delay_seconds',
    help: 'From the record timestamp (the decision or snapshot) to its publication on Redis, per batch (its last record)',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  observe(topic: string, messages: KafkaMessage[], stale: number, published: number, now: number): void {
    this.records.inc({ topic }, messages.length);
    if (stale) this.stale.inc({ topic }, stale);
    this.publications.inc(published);
    const last = messages[messages.length - 1];
    if (last && published) this.delay.observe({ topic }, Math.max(0, now - Number(last.timestamp)) / 1000);
  }
}
