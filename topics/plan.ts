/**
 * What `topics:apply` must do to one topic, decided from the catalog spec and what the cluster has. Pure: the IO is
 * in topics/apply.ts.
 */
import type { TopicSpec } from './catalog.js';

/** A topic as the cluster has it. */
export interface ExistingTopic {
  partitions: number;
  /** Replicas per partition (the smallest over partitions). */
  replicationFactor: number;
  /** The topic's own config overrides (source DYNAMIC_TOPIC_CONFIG); null for a value the broker hides. */
  overrides: Record<string, string | null>;
}

export interface ConfigChange {
  name: string;
  /** Override before; undefined when the topic followed the broker default. */
  from: string | undefined;
  to: string;
}

export type TopicPlan =
  | { kind: 'create'; partitions: number; replicationFactor: number; configs: Record<string, string> }
  | {
      kind: 'update';
      /** New partition count, when the catalog wants more partitions than the topic has. */
      raisePartitionsTo?: number;
      /** Overrides that differ from the catalog. */
      configChanges: ConfigChange[];
      /**
       * The complete override set to send when configChanges is not empty: kafkajs only speaks the legacy
       * AlterConfigs request, which replaces all of a topic's overrides, so overrides the catalog does not manage are
       * carried over unchanged.
       */
      alterTo?: Record<string, string>;
      /** Differences apply cannot fix. */
      drift: string[];
      /** Things done on purpose that an operator should know. */
      warnings: string[];
    };

/** Replication factor a topic gets on a cluster of `brokers` live brokers. */
export const effectiveReplication = (spec: TopicSpec, brokers: number): number =>
  Math.max(1, Math.min(spec.replicationFactor, brokers));

/** The overrides the catalog pins on a topic with the given replication factor. */
export function desiredConfigs(spec: TopicSpec, replicationFactor: number): Record<string, string> {
  const configs: Record<string, string> = { 'cleanup.policy': spec.cleanupPolicy };
  if (spec.retentionMs !== undefined) configs['retention.ms'] = String(spec.retentionMs);
  if (spec.minInsyncReplicas !== undefined) {
    configs['min.insync.replicas'] = String(Math.max(1, Math.min(spec.minInsyncReplicas, replicationFactor)));
  }
  return configs;
}

/** Problems of the spec itself; a topic with any is not applied. */
export function specProblems(spec: TopicSpec): string[] {
  const problems: string[] = [];
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(spec.name) || spec.name === '.' || spec.name === '..') {
    problems.push(`invalid topic name '${spec.name}' (Kafka allows [a-zA-Z0-9._-], 1 to 249 characters)`);
  }
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1) problems.push(`partitions ${spec.partitions} < 1`);
  if (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1) {
    problems.push(`replication factor ${spec.replicationFactor} < 1`);
  }
  if (spec.minInsyncReplicas !== undefined && spec.minInsyncReplicas > spec.replicationFactor) {
    problems.push(`min.insync.replicas ${spec.minInsyncReplicas} > replication factor ${spec.replicationFactor}`);
  }
  if (spec.retentionMs !== undefined && (!Number.isInteger(spec.retentionMs) || spec.retentionMs < -1)) {
    problems.push(`retention.ms ${spec.retentionMs} is neither -1 nor a positive integer`);
  }
  return problems;
}

export function planTopic(spec: TopicSpec, existing: ExistingTopic | undefined, brokers: number): TopicPlan {
  if (!existing) {
    const replicationFactor = effectiveReplication(spec, brokers);
    return {
      kind: 'create',
      partitions: spec.partitions,
      replicationFactor,
      configs: desiredConfigs(spec, replicationFactor),
    };
  }
  const drift: string[] = [];
  const warnings: string[] = [];
  let raisePartitionsTo: number | undefined;
  if (existing.partitions < spec.partitions) {
    raisePartitionsTo = spec.partitions;
    warnings.push(
      `partitions ${existing.partitions} -> ${spec.partitions}: keys now hash to other partitions (per-key order and ` +
        `co-partitioned state do not carry over)`,
    );
  } else if (existing.partitions > spec.partitions) {
    drift.push(
      `has ${existing.partitions} partitions, catalog wants ${spec.partitions} (partitions cannot be removed)`,
    );
  }
  // A topic at the catalog's factor, or at the most this cluster allows, is right; a broker being down is not drift.
  const rf = existing.replicationFactor;
  if (rf !== spec.replicationFactor && rf !== effectiveReplication(spec, brokers)) {
    drift.push(
      `replication factor ${rf}, catalog wants ${spec.replicationFactor} (${effectiveReplication(spec, brokers)} on ` +
        `${brokers} broker${brokers === 1 ? '' : 's'}): reassign partitions to fix`,
    );
  }
  const wanted = desiredConfigs(spec, rf);
  const configChanges: ConfigChange[] = Object.entries(wanted)
    .filter(([name, value]) => existing.overrides[name] !== value)
    .map(([name, to]) => ({ name, from: existing.overrides[name] ?? undefined, to }));
  let alterTo: Record<string, string> | undefined;
  if (configChanges.length > 0) {
    const hidden = Object.entries(existing.overrides)
      .filter(([name, value]) => value === null && !(name in wanted))
      .map(([name]) => name);
    if (hidden.length > 0) {
      drift.push(
        `configs differ (${configChanges.map((c) => c.name).join(', ')}) but the overrides ${hidden.join(', ')} ` +
          `are hidden by the broker and would be lost: alter them by hand`,
      );
      return { kind: 'update', raisePartitionsTo, configChanges: [], drift, warnings };
    }
    alterTo = {};
    for (const [name, value] of Object.entries(existing.overrides)) if (value !== null) alterTo[name] = value;
    Object.assign(alterTo, wanted);
  }
  return { kind: 'update', raisePartitionsTo, configChanges, alterTo, drift, warnings };
}
