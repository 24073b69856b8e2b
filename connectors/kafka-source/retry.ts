/** Retrying an operation on a backing service (ClickHouse, the registry, Kafka) until it works or we stop. */
import type { Logger } from '../../infra/log.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RetryOptions {
  log: Logger;
  /** When true after a failure, the failure is thrown instead of retried. */
  giveUp: () => boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onFailure?: (err: unknown, attempt: number) => void;
}

/** Runs `fn` until it resolves, waiting 200 ms, 400 ms, ... up to 30 s between attempts (exponential backoff). */
export async function retrying<T>(what: string, fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const initial = o.initialDelayMs ?? 200;
  const max = o.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      o.onFailure?.(err, attempt);
      if (o.giveUp()) throw err;
      const delayMs = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
      o.log.warn({ err, attempt, delayMs }, `${what} failed; retrying`);
      await sleep(delayMs);
    }
  }
}

/**
 * Awaits `p` while calling `beat` every `everyMs`: a consumer that waits on a slow write inside its batch handler
 * stays in its group. A failing beat (the group is rebalancing) is left for the consumer to notice afterwards.
 */
export async function withHeartbeat<T>(p: Promise<T>, beat: () => Promise<void>, everyMs = 3_000): Promise<T> {
  const timer = setInterval(() => void beat().catch(() => undefined), everyMs);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}
