/**
 * The group's partition assignor on kafkajs' protocol: members announce the tasks they hold in
 * their subscription's user data; the leader gives partition N of every subscribed (source) topic
 * to the member owning task N, as computed by assignTasks (co-partitioned, balanced, sticky).
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { GroupConsumerOptions } from '../client.js';

export const ASSIGNOR_NAME = 'seatstream-copartitioned';

const parseTasks = (userData: Buffer | undefined): number[] => {
  try {
    const parsed = JSON.parse(userData?.toString('utf8') || '{}') as { tasks?: unknown };
    return Array.isArray(parsed.tasks) ? parsed.tasks.filter((t): t is number => Number.isInteger(t)) : [];
  } catch {
    return [];
  }
};

export const coPartitionedAssignor =
  (options: Pick<GroupConsumerOptions, 'ownedTasks' | 'assignTasks'>): PartitionAssigner =>
  ({ cluster }) => ({
    name: ASSIGNOR_NAME,
    version: 1,
    protocol: ({ topics }) => ({
      name: ASSIGNOR_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(JSON.stringify({ tasks: options.ownedTasks() })),
      }),
    }),
    assign: async ({ members, topics }) => {
      const counts = topics.map((t) => cluster.findTopicPartitionMetadata(t).length);
      if (new Set(counts).size > 1) {
        throw new Error(
          `source topics are not co-partitioned: ${topics.map((t, i) => `${t}=${counts[i]}`).join(', ')}`,
        );
      }
      const plan = options.assignTasks(
        members.map((m) => ({
          memberId: m.memberId,
          previous: parseTasks(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        })),
        counts[0] ?? 0,
      );
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: Object.fromEntries(topics.map((t) => [t, plan.get(m.memberId) ?? []])),
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
