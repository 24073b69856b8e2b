/**
 * Every name the runtime derives, in one place. Changelog and dead-letter topics come from the topic
 * catalog (topics/catalog.ts: `changelogFor`, `dlqFor`), so their names and configs live there.
 */
import { join } from 'node:path';
import { changelogFor, dlqFor, topics as catalog, type TopicSpec } from '../../topics/catalog.js';

/**
 * The catalog's spec of a source topic, with the partition count the cluster really has (a topic
 * outside the catalog — a test's, say — gets a plain spec).
 */
export const sourceSpec = (topic: string, partitions: number): TopicSpec => {
  const known: TopicSpec | undefined = Object.values(catalog).find((t: TopicSpec) => t.name === topic);
  return known
    ? { ...known, partitions }
    : {
        name: topic,
        partitions,
        replicationFactor: 3,
        cleanupPolicy: 'delete',
        key: 'record key',
        doc: `source ${topic}`,
      };
};

export const changelogSpec = (applicationId: string, store: string, source: TopicSpec): TopicSpec =>
  changelogFor(applicationId, store, source);

export const dlqSpec = (source: TopicSpec): TopicSpec => dlqFor(source);

/** Kafka Streams' task id: sub-topology 0 (one per application here), then the partition. */
export const taskIdFor = (partition: number): string => `0_${partition}`;

/** One producer per input partition: a new owner of the partition fences the old one. */
export const transactionalIdFor = (applicationId: string, topic: string, partition: number): string =>
  `${applicationId}-${topic}-${partition}`;

export const taskDirFor = (stateDir: string, applicationId: string, taskId: string): string =>
  join(stateDir, applicationId, taskId);

export const storeDirFor = (stateDir: string, applicationId: string, taskId: string, store: string): string =>
  join(taskDirFor(stateDir, applicationId, taskId), store);

/** The consumer group that reads changelogs during restore: one per runtime instance, never committed. */
export const restoreGroupFor = (applicationId: string, instanceId: string): string =>
  `${applicationId}.restore.${instanceId}`;
