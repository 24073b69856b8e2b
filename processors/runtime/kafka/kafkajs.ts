/**
 * kafkajs instances with their logs routed to pino. kafkajs logs every retried protocol error
 * (CONCURRENT_TRANSACTIONS right after a commit, a coordinator still loading) at ERROR although it
 * retries them: those go to debug, as do its chatty INFO lines (every pause, every join).
 */
import { Kafka, logLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from '../../../infra/log.js';

export interface KafkajsOptions {
  brokers: string[];
  clientId: string;
  log: Logger;
}

/**
 * Retries: short and many. The transaction coordinator answers CONCURRENT_TRANSACTIONS until the
 * previous transaction's markers are written (a few ms); kafkajs' default first wait of 300 ms
 * would cost that much per transaction (measured: ~160 ms/txn vs ~30 ms/txn).
 */
export const retry: RetryOptions = { initialRetryTime: 10, maxRetryTime: 1_000, retries: 12 };

const logCreator = (log: Logger) => () => (entry: LogEntry) => {
  const { message, timestamp: _t, logger: _l, ...extra } = entry.log as { message: string; [k: string]: unknown };
  const fields = { kafkajs: entry.namespace, ...extra };
  const retried = entry.namespace === 'Connection' || 'retryCount' in extra;
  switch (entry.level) {
    case logLevel.ERROR:
      return retried ? log.debug(fields, message) : log.error(fields, message);
    case logLevel.WARN:
      return log.warn(fields, message);
    case logLevel.INFO:
      return log.debug(fields, message);
    default:
      return log.trace(fields, message);
  }
};

export const createKafkajs = ({ brokers, clientId, log }: KafkajsOptions): Kafka =>
  new Kafka({ brokers, clientId, retry, logLevel: logLevel.INFO, logCreator: logCreator(log) });
