/** The allocator's own counters (its /metrics), read before and after a system's run: what its transactions cost. */
import type { ServiceProcess } from '../../processors/seat-allocation/testing/service-process.js';

export interface AllocatorCounters {
  transactions: number;
  commitSeconds: number;
  commandsIn: number;
  punctuations: number;
}

const sum = (text: string, metric: string, filter = ''): number =>
  text
    .split('\n')
    .filter((l) => l.startsWith(metric) && (l[metric.length] === '{' || l[metric.length] === ' ') && l.includes(filter))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

export async function allocatorCounters(allocator: ServiceProcess): Promise<AllocatorCounters> {
  const { body } = await allocator.get('/metrics');
  const text = String(body);
  return {
    transactions: sum(text, 'seatstream_runtime_transactions_total', 'result="committed"'),
    commitSeconds: sum(text, 'seatstream_runtime_commit_seconds_sum'),
    commandsIn: sum(text, 'seatstream_runtime_records_in_total', 'topic="reservation.commands.v1"'),
    punctuations: sum(text, 'seatstream_runtime_punctuations_total'),
  };
}

export interface AllocatorFigures {
  commandsIn: number;
  transactions: number;
  transactionsPer1000Commands: number;
  meanCommitMs: number;
  punctuations: number;
}

export function allocatorFigures(before: AllocatorCounters, after: AllocatorCounters): AllocatorFigures {
  const transactions = after.transactions - before.transactions;
  const commandsIn = after.commandsIn - before.commandsIn;
  return {
    commandsIn,
    transactions,
    transactionsPer1000Commands: commandsIn ? Math.round((1000 * transactions) / commandsIn) : 0,
    meanCommitMs: transactions ? Math.round((1000 * (after.commitSeconds - before.commitSeconds)) / transactions) : 0,
    punctuations: after.punctuations - before.punctuations,
  };
}
