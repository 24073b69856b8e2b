/**
 * The independent oversold check of SeatStream: after the runs, the decisions our allocator published for the bench's
 * events are read again from reservation.events.v1 (read_committed, a consumer of its own, from the offsets noted
 * before the bench began) and folded in log order by the integration tests' oracle (DecisionFold, which shares no code
 * with the decider). A seat given while another hold or booking has it is an oversold seat.
 */
import kafkajs from 'kafkajs';
import { decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import type { EventDefinition, ReservationDecision } from '../../processors/seat-allocation/model.js';
import { ORIGIN_HEADER } from '../../processors/seat-allocation/processor.js';
import { DecisionFold } from '../../processors/seat-allocation/testing/decision-fold.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import type { OversoldCheck } from './system.js';

const { Kafka, logLevel } = kafkajs;

export type Offsets = { partition: number; offset: string }[];

export const endOffsets = async (admin: kafkajs.Admin): Promise<Offsets> =>
  (await admin.fetchTopicOffsets(topics.reservationEvents.name)).map((p) => ({
    partition: p.partition,
    offset: p.high,
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oversoldViolation = /: seat \S+ is (held|sold) by |: seat \S+ is not held by /;

export async function auditDecisions(o: {
  brokers: string[];
  admin: kafkajs.Admin;
  registry: RegistryClient;
  applicationId: string;
  from: Offsets;
  events: readonly EventDefinition[];
  /** Request ids whose decisions must all be read before folding. */
  expected: ReadonlySet<string>;
  timeoutMs: number;
}): Promise<OversoldCheck> {
  const groupId = `${o.applicationId}-audit`;
  await o.admin.setOffsets({ groupId, topic: topics.reservationEvents.name, partitions: o.from });
  const kafka = new Kafka({ brokers: o.brokers, clientId: groupId, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  const serde = serdeFor(topics.reservationEvents, o.registry, { autoRegister: false });
  const wanted = new Set(o.events.map((e) => e.eventId));
  const byEvent = new Map<string, ReservationDecision[]>();
  const seen = new Set<string>();
  let failure: unknown;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: topics.reservationEvents.name, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        try {
          for (const m of batch.messages) {
            const key = m.key?.toString('utf8');
            if (m.value === null || key === undefined || !wanted.has(key)) continue;
            const origin = m.headers?.[ORIGIN_HEADER]?.toString() ?? '';
            if (!origin.startsWith(`${o.applicationId}/`)) continue;
            const d = decisionFromAvro(await serde.deserialize(batch.topic, m.value));
            let list = byEvent.get(key);
            if (!list) byEvent.set(key, (list = []));
            list.push(d);
            seen.add(d.meta.requestId);
          }
        } catch (err) {
          failure ??= err;
        }
      },
    });
    const deadline = Date.now() + o.timeoutMs;
    const missing = () => [...o.expected].filter((id) => !seen.has(id)).length;
    while (missing() > 0 && Date.now() < deadline && !failure) await sleep(250);
    if (failure) throw failure;
    const unread = missing();
    let oversold = 0;
    let violations = 0;
    let folded = 0;
    const examples: string[] = [];
    for (const def of o.events) {
      const fold = new DecisionFold(def);
      for (const d of byEvent.get(def.eventId) ?? []) {
        fold.apply(d);
        folded++;
      }
      violations += fold.violations.length;
      const over = fold.violations.filter((v) => oversoldViolation.test(v));
      oversold += over.length;
      examples.push(...over.slice(0, 3));
    }
    return {
      oversold,
      detail: [
        `${folded} decisions folded from the log; ${violations} invariant violations in all` +
          (unread > 0 ? `; ${unread} of ${o.expected.size} requests had no decision in the log` : ''),
        ...examples.slice(0, 5),
      ],
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await o.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
