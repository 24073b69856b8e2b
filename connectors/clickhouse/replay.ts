/**
 * `npm run clickhouse:replay -- --database NAME [--replace]`: rebuilds the analytics from the whole
 * reservation.events.v1 log (and catalog.events.v1) into a fresh ClickHouse database, with a progress bar on
 * stderr: records, rate, time left (replayer.ts says how).
 *
 * Other options: --reservation-topic, --catalog-topic (other topics, for tests), --batch-records (rows per INSERT,
 * default 20000).
 */
import { parseArgs } from 'node:util';
import type { ReadProgress } from '../kafka-source/read-to-end.js';
import { formatProgress } from './progress.js';
import { replay } from './replayer.js';

async function main() {
  const { values: a } = parseArgs({
    options: {
      database: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'reservation-topic': { type: 'string' },
      'catalog-topic': { type: 'string' },
      'batch-records': { type: 'string' },
    },
    strict: true,
  });
  if (!a.database) throw new Error('--database NAME is required (a fresh database to build)');
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  let last: { p: ReadProgress; ms: number } | undefined;
  const print = (final = false) => {
    if (!last) return;
    const line = formatProgress({
      done: last.p.doneOffsets,
      total: last.p.totalOffsets,
      records: last.p.records,
      elapsedMs: last.ms,
    });
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
  const r = await replay({
    database: a.database,
    replace: a.replace ?? false,
    ...(a['reservation-topic'] ? { reservationTopic: a['reservation-topic'] } : {}),
    ...(a['catalog-topic'] ? { catalogTopic: a['catalog-topic'] } : {}),
    ...(a['batch-records'] ? { batchRecords: Math.max(1, Number(a['batch-records'])) } : {}),
    onProgress: (p, ms) => {
      last = { p, ms };
      const now = Date.now();
      if (now - lastPrint >= (tty ? 100 : 2_000)) {
        lastPrint = now;
        print();
      }
    },
  });
  print(true);
  const rate = r.elapsedMs > 0 ? Math.round((r.records / r.elapsedMs) * 1000) : r.records;
  console.log(
    `clickhouse:replay ${r.database}: ${r.records.toLocaleString('en-US')} records in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate.toLocaleString('en-US')} rec/s), ${r.deadLetters} not replayable`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\nclickhouse:replay failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
