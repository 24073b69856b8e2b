/**
 * `npm run topics:apply`: makes the cluster match the topic catalog, idempotently.
 *
 * Creates missing topics (replication factor min(catalog, brokers)), raises partition counts, sets the configs the
 * catalog pins, and reports what it cannot fix (fewer partitions wanted than exist, another replication factor)
 * without stopping at it. Prints a table; exits non-zero only on real errors (a refused request, a bad spec, no
 * cluster). `applyTopics` is the same for tests and the test runner.
 */
import { pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';
import type { Admin, logLevel as LogLevel } from 'kafkajs';
import { kafkaBrokers } from '../infra/config.js';
import { logger } from '../infra/log.js';
import { catalogSpecs, type TopicSpec } from './catalog.js';
import { planTopic, specProblems, type ExistingTopic, type TopicPlan } from './plan.js';

const { Kafka, ConfigResourceTypes, ConfigSource, logLevel } = kafkajs;

export type TopicAction = 'created' | 'updated' | 'unchanged' | 'invalid' | 'error';

export interface TopicOutcome {
  topic: string;
  action: TopicAction;
  /** Partitions and replication factor after the run (when known). */
  partitions?: number;
  replicationFactor?: number;
  /** What was changed, one line each. */
  changes: string[];
  /** Differences left as they are. */
  drift: string[];
  warnings: string[];
  error?: string;
}

export interface ApplyResult {
  /** Live brokers in the cluster. */
  brokers: number;
  outcomes: TopicOutcome[];
  /** False when any topic ended in 'error' or 'invalid'; drift alone does not make a run fail. */
  ok: boolean;
}

const log = logger('topics.apply');

/** kafkajs logs through our logger; the protocol errors it logs are also thrown to us, so they stay at debug. */
const kafkaLogCreator = () => (entry: { namespace: string; level: LogLevel; log: { message: string } }) => {
  const { message, ...rest } = entry.log;
  const level = entry.level === logLevel.ERROR || entry.level === logLevel.WARN ? 'debug' : 'trace';
  log[level]({ kafkajs: entry.namespace, ...rest }, message);
};

/** An admin client on the given brokers, logging through pino. The caller connects and disconnects it. */
export const createAdmin = (brokers: readonly string[], clientId = 'seatstream-topics'): Admin =>
  new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.WARN, logCreator: kafkaLogCreator }).admin();

async function readTopic(admin: Admin, name: string): Promise<ExistingTopic> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
  const partitions = topics[0]?.partitions ?? [];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name }],
  });
  const resource = described.resources[0];
  if (!resource || resource.errorCode !== 0) {
    throw new Error(`describeConfigs ${name}: ${resource?.errorMessage ?? 'no answer'}`);
  }
  const overrides: Record<string, string | null> = {};
  for (const entry of resource.configEntries) {
    // configSource is there from DescribeConfigs v1 on; v0 only says isDefault.
    const own = entry.configSource === undefined ? !entry.isDefault : entry.configSource === ConfigSource.TOPIC_CONFIG;
    if (own) overrides[entry.configName] = entry.isSensitive ? null : entry.configValue;
  }
  return {
    partitions: partitions.length,
    replicationFactor: Math.min(...partitions.map((p) => p.replicas.length)),
    overrides,
  };
}

async function execute(
  admin: Admin,
  spec: TopicSpec,
  plan: TopicPlan,
  existing?: ExistingTopic,
): Promise<TopicOutcome> {
  if (plan.kind === 'create') {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: spec.name,
          numPartitions: plan.partitions,
          replicationFactor: plan.replicationFactor,
          configEntries: Object.entries(plan.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    if (!created) throw new TopicExistsError(spec.name);
    return {
      topic: spec.name,
      action: 'created',
      partitions: plan.partitions,
      replicationFactor: plan.replicationFactor,
      changes: [
        `created: ${plan.partitions} partitions, replication ${plan.replicationFactor}` +
          (plan.replicationFactor < spec.replicationFactor ? ` (catalog: ${spec.replicationFactor})` : ''),
        ...Object.entries(plan.configs).map(([k, v]) => `${k}=${v}`),
      ],
      drift: [],
      warnings: [],
    };
  }
  const changes: string[] = [];
  if (plan.raisePartitionsTo !== undefined) {
    await admin.createPartitions({ topicPartitions: [{ topic: spec.name, count: plan.raisePartitionsTo }] });
    changes.push(`partitions ${existing?.partitions} -> ${plan.raisePartitionsTo}`);
  }
  if (plan.alterTo) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(plan.alterTo).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    for (const c of plan.configChanges) changes.push(`${c.name}: ${c.from ?? '(broker default)'} -> ${c.to}`);
  }
  return {
    topic: spec.name,
    action: changes.length > 0 ? 'updated' : 'unchanged',
    partitions: plan.raisePartitionsTo ?? existing?.partitions,
    replicationFactor: existing?.replicationFactor,
    changes,
    drift: plan.drift,
    warnings: plan.warnings,
  };
}

/** kafkajs errors name the broker's error code in `type`, and aggregate per-topic errors in `errors`. */
function describeError(err: unknown): string {
  const e = err as { message?: string; type?: string; errors?: unknown[] };
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.map(describeError).join('; ');
  const message = e.message ?? String(err);
  return e.type && !message.includes(e.type) ? `${e.type}: ${message}` : message;
}

class TopicExistsError extends Error {
  constructor(topic: string) {
    super(`${topic} was created by someone else meanwhile`);
  }
}

async function applyOne(admin: Admin, spec: TopicSpec, brokers: number, exists: boolean): Promise<TopicOutcome> {
  const problems = specProblems(spec);
  if (problems.length > 0) {
    return { topic: spec.name, action: 'invalid', changes: [], drift: [], warnings: [], error: problems.join('; ') };
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const existing = exists ? await readTopic(admin, spec.name) : undefined;
      return await execute(admin, spec, planTopic(spec, existing, brokers), existing);
    } catch (err) {
      // Another applier created it between our listing and our request: reconcile it as an existing topic.
      if (err instanceof TopicExistsError && attempt === 0) {
        exists = true;
        continue;
      }
      const message = describeError(err);
      log.debug({ err, topic: spec.name }, 'topic not applied');
      return { topic: spec.name, action: 'error', changes: [], drift: [], warnings: [], error: message };
    }
  }
}

/**
 * Makes the cluster match `specs`. Each topic is handled on its own: an error on one does not stop the others.
 *
 * @param target a connected kafkajs admin (left connected), or bootstrap brokers (an admin is made, then closed)
 * @throws when the cluster cannot be reached at all
 */
export async function applyTopics(
  target: Admin | string | readonly string[],
  specs: readonly TopicSpec[],
): Promise<ApplyResult> {
  const own = typeof target === 'string' || Array.isArray(target);
  const admin: Admin = own
    ? createAdmin(typeof target === 'string' ? target.split(',') : (target as string[]))
    : (target as Admin);
  if (own) await admin.connect();
  try {
    const names = specs.map((s) => s.name);
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
    const { brokers } = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    const outcomes: TopicOutcome[] = [];
    for (const spec of specs) {
      if (duplicates.includes(spec.name)) {
        outcomes.push({
          topic: spec.name,
          action: 'invalid',
          changes: [],
          drift: [],
          warnings: [],
          error: 'named twice',
        });
        continue;
      }
      outcomes.push(await applyOne(admin, spec, brokers.length, existing.has(spec.name)));
    }
    return {
      brokers: brokers.length,
      outcomes,
      ok: outcomes.every((o) => o.action !== 'error' && o.action !== 'invalid'),
    };
  } finally {
    if (own) await admin.disconnect();
  }
}

/** The run as a plain-text table, one row per topic, then notes. */
export function formatApplyResult(result: ApplyResult): string {
  const rows = result.outcomes.map((o) => [
    o.topic,
    o.action + (o.drift.length > 0 ? ' +drift' : ''),
    o.partitions === undefined ? '' : String(o.partitions),
    o.replicationFactor === undefined ? '' : String(o.replicationFactor),
    o.error ?? o.changes.join(', '),
  ]);
  const header = ['topic', 'action', 'partitions', 'replication', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const notes = result.outcomes.flatMap((o) => [
    ...o.drift.map((d) => `drift   ${o.topic}: ${d}`),
    ...o.warnings.map((w) => `warning ${o.topic}: ${w}`),
  ]);
  return [
    `cluster: ${result.brokers} broker${result.brokers === 1 ? '' : 's'}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  const brokers = kafkaBrokers();
  console.log(`topics:apply on ${brokers.join(',')}`);
  const result = await applyTopics(brokers, catalogSpecs());
  console.log(formatApplyResult(result));
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`topics:apply failed: ${describeError(err)}`);
      process.exit(1);
    },
  );
}
