/**
 * How a group's members split the tasks (input partitions). Every source topic's partition N goes
 * with task N (co-partitioning), so the assignment is of partition numbers. Balanced (counts differ
 * by at most one) and sticky: a member keeps the tasks it held as far as balance allows, so a
 * rebalance moves — and restores — as few stores as possible. Deterministic: every leader computes
 * the same answer from the same input.
 */
import type { GroupMemberTasks } from './client.js';

export const assignTasks = (members: readonly GroupMemberTasks[], partitions: number): Map<string, number[]> => {
  const ids = [...new Set(members.map((m) => m.memberId))].sort();
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const previous = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const m of members)
    previous.get(m.memberId)!.push(...m.previous.filter((p) => Number.isInteger(p) && p >= 0 && p < partitions));

  const base = Math.floor(partitions / ids.length);
  let extras = partitions % ids.length;
  const quota = new Map<string, number>(ids.map((id) => [id, base]));
  const taken = new Set<number>();
  const take = (id: string, p: number) => {
    out.get(id)!.push(p);
    taken.add(p);
  };

  // 1. everyone keeps up to `base` of its previous tasks
  for (const id of ids) for (const p of previous.get(id)!) if (!taken.has(p) && out.get(id)!.length < base) take(id, p);
  // 2. the `extras` one-more slots go first to members that can keep one more previous task
  for (const id of ids) {
    if (extras === 0) break;
    const p = previous.get(id)!.find((q) => !taken.has(q));
    if (p === undefined) continue;
    take(id, p);
    quota.set(id, base + 1);
    extras--;
  }
  // 3. the remaining extra slots go in member order
  for (const id of ids) {
    if (extras === 0) break;
    if (quota.get(id) === base) {
      quota.set(id, base + 1);
      extras--;
    }
  }
  // 4. unowned tasks fill the members below quota, least loaded first
  for (let p = 0; p < partitions; p++) {
    if (taken.has(p)) continue;
    let best: string | undefined;
    for (const id of ids) {
      const n = out.get(id)!.length;
      if (n < quota.get(id)! && (best === undefined || n < out.get(best)!.length)) best = id;
    }
    take(best!, p);
  }
  for (const tasks of out.values()) tasks.sort((a, b) => a - b);
  return out;
};
