/**
 * kafkajs clients for sinks, with kafkajs' own logs routed to pino: protocol errors it retries by itself (a
 * coordinator still loading right after a broker starts) go to debug, its chatty INFO lines (every join, every
 * pause) too; warnings and unretried errors stay visible.
 */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import type { Logger } from '../../infra/log.js';

const logCreator = (log: Logger) => () => (entry: LogEntry) => {
  const { message, timestamp: _t, logger: _l, ...extra } = entry.log as { message: string; [k: string]: unknown };
  const fields = { kafkajs: entry.namespace, ...extra };
  switch (entry.level) {
    case logLevel.ERROR:
      return 'retryCount' in extra || entry.namespace === 'Connection'
        ? log.debug(fields, message)
        : log.error(fields, message);
    case logLevel.WARN:
      return log.warn(fields, message);
    case logLevel.INFO:
      return log.debug(fields, message);
    default:
      return log.trace(fields, message);
  }
};

export interface KafkaClientOptions {
  clientId: string;
  log: Logger;
  /** Bootstrap servers; `loadEndpoints()` when unset. */
  brokers?: string[];
}

export const createKafka = ({ clientId, log, brokers }: KafkaClientOptions): Kafka =>
  new Kafka({
    clientId,
    brokers: brokers ?? kafkaBrokers(loadEndpoints()),
    // Short first waits: a transaction coordinator answers CONCURRENT_TRANSACTIONS for a few ms after a commit,
    // and kafkajs' default first wait (300 ms) would be paid on every transaction.
    retry: { initialRetryTime: 20, maxRetryTime: 2_000, retries: 12 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(log),
  });
