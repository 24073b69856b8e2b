/**
 * `npm run bench:onsale`: an on-sale — one hot event (the 50,000-seat stadium) and three cold ones (concert halls) —
 * driven by one open-loop load generator (workload.ts, open-loop.ts) against, in the same run:
 *   (pg)    the baseline: the same hold semantics on PostgreSQL with row locks and a pool of 20 (pg-baseline.ts);
 *   (topic) SeatStream, commands straight onto reservation.commands.v1 (the processor's own limit);
 *   (api)   SeatStream through the HTTP API (an API child process, keep-alive connections).
 * For each: a warm-up (ONSALE_WARMUP_RATE for ONSALE_WARMUP_S), a fixed rate (ONSALE_RATE operations/s for
 * ONSALE_FIXED_S), a ramp of ONSALE_STEP_S steps from ONSALE_RAMP_FROM, doubling until a step does not hold, then
 * ×ONSALE_RAMP_FACTOR (+25 %) from the last one that held — a step holds when its p99 is within ONSALE_SLO_P99_MS, at
 * least 90 % of its operations are decided within it and none fails; the last step that held is the maximum
 * sustainable rate — then ONSALE_HALF_S at half of it. Every phase gets a fresh hot event (random id), so none starts
 * sold out. Then an independent oversold check per system (decision-audit.ts, pg-baseline.ts). Prints a line per
 * phase and a table, writes bench/results/onsale.json and onsale.html. README.md says how to read them.
 *
 * It uses the running local stack (loadEndpoints()); the seat-allocation service runs as a child process with a fresh
 * application id and state under .stack/bench/, its group starting at the end of the shared topics. Everything it
 * makes is removed at the end (tombstones for its events, its changelogs and groups, the PostgreSQL schema, Redis
 * keys, the state directory). Options: ONSALE_SYSTEMS=pg,topic,api (a subset, in that order), ONSALE_BUYERS (10000),
 * ONSALE_SEED, ONSALE_CPU_PROF=1 (the allocator writes a V8 CPU profile into .stack/bench/onsale-<run>/profile/;
 * `tsx bench/onsale/profile-top.ts <file>` prints its top frames).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { kafkaBrokers, loadEndpoints, repoRoot, stackDir } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { concertHall, stadium } from '../../processors/seat-allocation/demo-venue.js';
import type { EventDefinition } from '../../processors/seat-allocation/model.js';
import { ServiceProcess } from '../../processors/seat-allocation/testing/service-process.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { ensureSubjects } from '../../schemas/subjects.js';
import { applyTopics } from '../../topics/apply.js';
import { catalogSpecs, topics } from '../../topics/catalog.js';
import { allocatorCounters, allocatorFigures } from './allocator-figures.js';
import { endOffsets } from './decision-audit.js';
import { runOpenLoop } from './open-loop.js';
import { PgBaseline } from './pg-baseline.js';
import { html, printTable, type PhaseRecord, type SystemResult } from './report.js';
import { summarize, type PhaseSummary } from './stats.js';
import { StreamApi } from './stream-api.js';
import { StreamTopic, type StreamContext } from './stream-topic.js';
import type { OnsaleSystem } from './system.js';
import { OnsaleWorkload } from './workload.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const settings = {
  rate: num('ONSALE_RATE', 500),
  fixedS: num('ONSALE_FIXED_S', 15),
  stepS: num('ONSALE_STEP_S', 6),
  rampFrom: num('ONSALE_RAMP_FROM', 200),
  rampFactor: num('ONSALE_RAMP_FACTOR', 1.25),
  maxSteps: num('ONSALE_MAX_STEPS', 10),
  warmupRate: num('ONSALE_WARMUP_RATE', 200),
  warmupS: num('ONSALE_WARMUP_S', 5),
  halfS: num('ONSALE_HALF_S', 15),
  sloP99Ms: num('ONSALE_SLO_P99_MS', 250),
  buyers: num('ONSALE_BUYERS', 10_000),
  seed: num('ONSALE_SEED', Math.floor(Math.random() * 1e9)),
  graceMs: 20_000,
};
const systemsWanted = (process.env.ONSALE_SYSTEMS ?? 'pg,topic,api').split(',').map((s) => s.trim());
const cpuProf = process.env.ONSALE_CPU_PROF === '1';

const log = logger('bench-onsale');
const run = randomUUID().slice(0, 8);
const applicationId = `bench-onsale-${run}`;
const workDir = join(stackDir, 'bench', `onsale-${run}`);
const endpoints = loadEndpoints();
const brokers = kafkaBrokers(endpoints);
const registry = createRegistryClient(endpoints.schemaRegistry);
const kafka = new Kafka({ brokers, clientId: applicationId, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const streamEvents: EventDefinition[] = [];
const load = () => Number(loadavg()[0]!.toFixed(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const buyers = Array.from({ length: settings.buyers }, () => randomUUID());

const hotEvent = (system: string, phase: string): EventDefinition =>
  stadium({ eventId: `bench-onsale-${run}-${system}-${phase}-hot`, onSaleAt: Date.now() - 60_000, seed: 7 });
const coldEvents = (system: string): EventDefinition[] =>
  [1, 2, 3].map((i) =>
    concertHall({ eventId: `bench-onsale-${run}-${system}-cold-${i}`, onSaleAt: Date.now() - 60_000, seed: i }),
  );

const fmt = (s: PhaseSummary) =>
  `${String(s.holdsPerSec).padStart(5)} holds/s decided, p50 ${s.latencyMs.p50} p95 ${s.latencyMs.p95} p99 ${s.latencyMs.p99} ms, ` +
  `${Math.round(s.keptUp * 100)} % decided in time, backlog ${s.backlogAtEnd}` +
  (Object.keys(s.failures).length ? `, no decision ${Object.values(s.failures).reduce((a, b) => a + b, 0)}` : '') +
  (s.toDecisionMs && s.decisionToReplyMs
    ? ` [to decision p50/p99 ${s.toDecisionMs.p50}/${s.toDecisionMs.p99}, decision to reply ${s.decisionToReplyMs.p50}/${s.decisionToReplyMs.p99} ms]`
    : '');

async function runSystem(
  key: SystemResult['key'],
  system: OnsaleSystem,
  allocator: ServiceProcess | null,
): Promise<SystemResult> {
  const countersBefore = allocator ? await allocatorCounters(allocator) : null;
  const cold = coldEvents(key);
  const mine: EventDefinition[] = [...cold];
  if (key !== 'pg') streamEvents.push(...cold);
  await system.prepare(cold);
  const phases: PhaseRecord[] = [];
  let seedOffset = 0;
  const phase = async (name: string, rate: number, seconds: number) => {
    const hot = hotEvent(key, name);
    mine.push(hot);
    if (key !== 'pg') streamEvents.push(hot);
    await system.prepare([hot]);
    const workload = new OnsaleWorkload(hot, cold, buyers, settings.seed + seedOffset++);
    const r = await runOpenLoop({
      ratePerSec: rate,
      durationMs: seconds * 1000,
      graceMs: settings.graceMs,
      next: () => workload.next(),
      issue: (op) => system.issue(op),
      settled: (op, outcome) => workload.settled(op, outcome),
    });
    // The next phase starts once this one's backlog is decided (a system still draining would be charged for it).
    const drainStarted = Date.now();
    const drained = await Promise.race([r.idle.then(() => true), sleep(120_000).then(() => false)]);
    const drainS = Math.round((Date.now() - drainStarted) / 1000);
    if (!drained) console.log(`[${key}] ${name}: operations still undecided after a further 120 s; going on`);
    else if (drainS >= 5) console.log(`[${key}] ${name}: its backlog took another ${drainS} s to be decided`);
    const summary = summarize(r);
    return { hot, summary };
  };

  console.log(`[${key}] ${system.name}`);
  const warm = await phase('warmup', settings.warmupRate, settings.warmupS);
  phases.push({
    phase: `warm-up ${settings.warmupRate}/s`,
    hotEventId: warm.hot.eventId,
    passed: null,
    summary: warm.summary,
  });
  console.log(`[${key}] warm-up ${settings.warmupRate} ops/s for ${settings.warmupS} s: ${fmt(warm.summary)}`);
  const fixed = await phase('fixed', settings.rate, settings.fixedS);
  phases.push({
    phase: `fixed ${settings.rate}/s`,
    hotEventId: fixed.hot.eventId,
    passed: null,
    summary: fixed.summary,
  });
  console.log(`[${key}] fixed ${settings.rate} ops/s for ${settings.fixedS} s: ${fmt(fixed.summary)}`);

  // The ramp: doubling from rampFrom until a step does not hold, then +25 % steps from the last one that held.
  let best: { rate: number; summary: PhaseSummary } | null = null;
  let rate = settings.rampFrom;
  let factor = 2;
  for (let step = 1; step <= settings.maxSteps; step++) {
    const s = await phase(`ramp${step}`, rate, settings.stepS);
    const failed = Object.values(s.summary.failures).reduce((a, b) => a + b, 0);
    const passed = s.summary.latencyMs.p99 <= settings.sloP99Ms && s.summary.keptUp >= 0.9 && failed === 0;
    phases.push({ phase: `ramp ${rate}/s`, hotEventId: s.hot.eventId, passed, summary: s.summary });
    console.log(
      `[${key}] ramp ${String(rate).padStart(5)} ops/s: ${fmt(s.summary)} → ${passed ? 'sustained' : 'NOT sustained'}`,
    );
    if (passed) best = { rate, summary: s.summary };
    else if (factor === 2 && best) factor = settings.rampFactor;
    else break;
    const next = Math.round((best?.rate ?? rate) * factor);
    if (!passed && next >= rate) break;
    rate = next;
  }
  const halfRate = Math.max(1, Math.round((best?.rate ?? settings.rampFrom / 2) / 2));
  const half = await phase('half', halfRate, settings.halfS);
  phases.push({ phase: `half ${halfRate}/s`, hotEventId: half.hot.eventId, passed: null, summary: half.summary });
  console.log(`[${key}] half the maximum, ${halfRate} ops/s for ${settings.halfS} s: ${fmt(half.summary)}`);

  const oversold = await system.oversold(mine).catch((err: unknown) => ({
    oversold: -1,
    detail: [`the check failed: ${err instanceof Error ? err.message : String(err)}`],
  }));
  console.log(`[${key}] oversold seats: ${oversold.oversold} (${oversold.detail[0]})`);
  const allocatorRun =
    allocator && countersBefore ? allocatorFigures(countersBefore, await allocatorCounters(allocator)) : null;
  if (allocatorRun)
    console.log(
      `[${key}] allocator: ${allocatorRun.commandsIn} commands in ${allocatorRun.transactions} transactions ` +
        `(${allocatorRun.transactionsPer1000Commands} per 1000 commands), mean commit ${allocatorRun.meanCommitMs} ms, ` +
        `${allocatorRun.punctuations} punctuations`,
    );
  return {
    key,
    name: system.name,
    phases,
    maxSustainableRate: best?.rate ?? null,
    holdsPerSec: best?.summary.holdsPerSec ?? 0,
    fixed: fixed.summary,
    half: half.summary,
    oversold,
    allocator: allocatorRun,
  };
}

async function cleanupKafka(): Promise<void> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const keys = streamEvents.map((e) => e.eventId);
  for (const topic of [topics.catalogEvents.name, topics.eventAvailability.name])
    if (keys.length) await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: null })) });
  await producer.disconnect();
  const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
  if (ours.length) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
  const { groups } = await admin.listGroups();
  const mine = groups.map((g) => g.groupId).filter((g) => g === applicationId || g.startsWith(`${applicationId}-`));
  if (mine.length) await admin.deleteGroups(mine).catch(() => undefined);
}

async function main(): Promise<void> {
  console.log(
    `on-sale bench ${run}: seed ${settings.seed}, ${settings.buyers} buyers, rate ${settings.rate} ops/s, ramp from ${settings.rampFrom} ops/s doubling then ×${settings.rampFactor}, ${settings.stepS} s steps, ` +
      `p99 limit ${settings.sloP99Ms} ms; systems ${systemsWanted.join(', ')}; load average ${load()} on ${cpus().length} cores`,
  );
  mkdirSync(workDir, { recursive: true });
  await admin.connect();
  const results: SystemResult[] = [];
  let allocator: ServiceProcess | null = null;
  let pg: PgBaseline | null = null;
  let topicSystem: StreamTopic | null = null;
  let apiSystem: StreamApi | null = null;
  const loadBefore = load();
  const stopAll = async () => {
    await apiSystem?.close().catch(() => undefined);
    await topicSystem?.close().catch(() => undefined);
    await pg?.close().catch(() => undefined);
    if (allocator?.running) {
      allocator.kill('SIGTERM');
      const stopped = await Promise.race([allocator.exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!stopped) allocator.kill('SIGKILL');
      await allocator.exited;
    }
  };
  process.once('SIGINT', () => {
    console.log('interrupted: cleaning up');
    void stopAll()
      .then(() => cleanupKafka())
      .finally(() => {
        rmSync(workDir, { recursive: true, force: true });
        process.exit(130);
      });
  });
  try {
    if (systemsWanted.includes('pg')) {
      pg = await PgBaseline.create(endpoints.postgres);
      results.push(await runSystem('pg', pg, null));
      await pg.close();
      pg = null;
    }
    if (systemsWanted.includes('topic') || systemsWanted.includes('api')) {
      const applied = await applyTopics(admin, catalogSpecs());
      if (!applied.ok) throw new Error(`topics: ${JSON.stringify(applied.outcomes.filter((o) => o.error))}`);
      const subjects = await ensureSubjects(catalogSpecs(), registry);
      if (subjects.some((s) => s.action === 'failed')) throw new Error(`schemas: ${JSON.stringify(subjects)}`);
      for (const spec of [topics.reservationCommands, topics.catalogEvents]) {
        const ends = await admin.fetchTopicOffsets(spec.name);
        await admin.setOffsets({
          groupId: applicationId,
          topic: spec.name,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
      }
      const from = await endOffsets(admin);
      const profileDir = join(workDir, 'profile');
      allocator = new ServiceProcess('allocator', {
        SEAT_ALLOCATION_APPLICATION_ID: applicationId,
        SEAT_ALLOCATION_INSTANCE_ID: `bench-${run}`,
        SEAT_ALLOCATION_STATE_DIR: join(workDir, 'allocator'),
        ...(cpuProf
          ? {
              NODE_OPTIONS: `--import=${fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url))}`,
              ONSALE_CPU_PROF_DIR: profileDir,
            }
          : {}),
      });
      await allocator.url(120_000);
      const ctx: StreamContext = { kafka, admin, brokers, registry, allocator, applicationId, from, log };
      topicSystem = new StreamTopic(ctx, `bench-onsale-${run}`);
      await topicSystem.start();
      if (systemsWanted.includes('topic')) results.push(await runSystem('topic', topicSystem, allocator));
      if (systemsWanted.includes('api')) {
        apiSystem = new StreamApi(ctx, topicSystem, run, workDir);
        await apiSystem.start(buyers);
        results.push(await runSystem('api', apiSystem, allocator));
      }
    }
  } finally {
    await stopAll();
    await cleanupKafka().catch((err: unknown) => log.warn({ err }, 'Kafka cleanup failed'));
    await admin.disconnect().catch(() => undefined);
    if (cpuProf) console.log(`CPU profile of the allocator kept in ${join(workDir, 'profile')}`);
    else rmSync(workDir, { recursive: true, force: true });
    if (cpuProf) rmSync(join(workDir, 'allocator'), { recursive: true, force: true });
  }

  printTable(results);
  const by = (k: SystemResult['key']) => results.find((r) => r.key === k);
  const [topic, api, base] = [by('topic'), by('api'), by('pg')];
  // No ratio when either side sustained no step of the ramp (its figure would be 0, not a measurement).
  const ratio = (a?: SystemResult) =>
    a?.maxSustainableRate && base?.maxSustainableRate && base.holdsPerSec > 0
      ? Number((a.holdsPerSec / base.holdsPerSec).toFixed(2))
      : null;
  const oversold = results.reduce((n, r) => n + Math.max(0, r.oversold.oversold), 0);
  const headline = {
    streamHoldsPerSec: topic?.maxSustainableRate ? topic.holdsPerSec : null,
    apiHoldsPerSec: api?.maxSustainableRate ? api.holdsPerSec : null,
    pgHoldsPerSec: base?.maxSustainableRate ? base.holdsPerSec : null,
    ratio: ratio(topic),
    apiRatio: ratio(api),
    p99Ms: topic?.half?.latencyMs.p99 ?? null,
    apiP99Ms: api?.half?.latencyMs.p99 ?? null,
    pgP99Ms: base?.half?.latencyMs.p99 ?? null,
    oversold,
    goals: {
      ratioAtLeast5: (ratio(topic) ?? 0) >= 5,
      p99AtHalfMaxAtMost50Ms: (topic?.half?.latencyMs.p99 ?? Infinity) <= 50,
      zeroOversold: oversold === 0 && results.every((r) => r.oversold.oversold === 0),
    },
  };
  console.log(
    `\nratio (holds decided per second on the hot event, topic / PostgreSQL): ${headline.ratio ?? '-'}×; through the API: ${headline.apiRatio ?? '-'}×; ` +
      `p99 at half the maximum: ${headline.p99Ms ?? '-'} ms (topic), ${headline.apiP99Ms ?? '-'} ms (API), ${headline.pgP99Ms ?? '-'} ms (PostgreSQL); oversold ${oversold}`,
  );
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = {
    ...headline,
    run,
    settings,
    machine: { cpus: cpus().length, loadBefore, loadAfter: load() },
    systems: results,
  };
  writeFileSync(join(dir, 'onsale.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(dir, 'onsale.html'), html(results, headline));
  console.log('wrote bench/results/onsale.json and bench/results/onsale.html');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`on-sale bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
