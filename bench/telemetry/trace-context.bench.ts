/**
 * What trace context costs per decided command: the allocator's path around `decide` (extract the context from the
 * command's headers, a span, inject the span's context into the decision's headers), measured three ways in one run:
 *
 *   copy     the baseline: the command's traceparent string copied into the decision's headers (before issue #11)
 *   no-op    extract + span + inject with the OpenTelemetry API alone (no provider: tests, OTEL_SDK_DISABLED=true)
 *   sdk      the same after initTracing (a real span, ids generated, nothing exported: the services' default)
 *
 *   node --import tsx bench/telemetry/trace-context.bench.ts [--seconds 1]
 *
 * Prints ns per command and the ratio to the baseline; writes bench/results/telemetry-trace-context.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { repoRoot } from '../../infra/config.js';
import { extractTraceContext, injectTraceHeaders } from '../../infra/telemetry/kafka-headers.js';
import { initTracing, withSpan } from '../../infra/telemetry/tracing.js';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;

const headers = {
  traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
  'seatstream-reply-to': Buffer.from('api-1'),
};
let sink = 0;

const copy = async () => {
  const out: Record<string, string> = { 'seatstream-origin': 'app/0_1' };
  const tp = headers.traceparent.toString('utf8');
  if (tp) out.traceparent = tp;
  sink += Object.keys(out).length;
};

const traced = () =>
  withSpan(
    'seat-allocation decide',
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'seatstream.command': 'HoldSeats' } },
    extractTraceContext(headers, null),
    async (_span, ctx) => {
      sink += Object.keys(injectTraceHeaders(ctx, { 'seatstream-origin': 'app/0_1' })).length;
    },
  );

async function measure(name: string, op: () => Promise<void>) {
  for (let i = 0; i < 20_000; i++) await op(); // warm-up
  let n = 0;
  const started = process.hrtime.bigint();
  const end = started + BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 1_000; i++) await op();
    n += 1_000;
    if (process.hrtime.bigint() >= end) break;
  }
  const ns = Number(process.hrtime.bigint() - started) / n;
  return { name, operations: n, nsPerOp: Math.round(ns), opsPerSecond: Math.round(1e9 / ns) };
}

async function main() {
  const baseline = await measure('copy', copy);
  const noop = await measure('no-op', traced);
  initTracing('bench', {});
  const sdk = await measure('sdk', traced);
  const rows = [baseline, noop, sdk].map((r) => ({ ...r, ratioToCopy: +(r.nsPerOp / baseline.nsPerOp).toFixed(2) }));
  console.table(rows);
  const out = join(repoRoot, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'telemetry-trace-context.json'),
    JSON.stringify({ at: new Date().toISOString(), seconds, node: process.version, rows, checksum: sink }, null, 2),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
