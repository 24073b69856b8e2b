/**
 * Command-line arguments of `npm run stack:up|stack:down|stack:status`. Pure.
 *
 *   up [--brokers 1|3] [--only kafka,postgres] [--tls | --no-tls] [--port-offset N]
 *   down [--port-offset N]
 *   status [--json]
 */
import { parseArgs } from 'node:util';
import { parseComponentList, type ComponentName, type KafkaMode } from './layout.js';

export type StackCommand = 'up' | 'down' | 'status';

export interface StackCliArgs {
  command: StackCommand;
  brokers?: KafkaMode;
  only?: ComponentName[];
  portOffset?: number;
  /** up: the partners' SASL listener over TLS (--tls) or not (--no-tls); unset: as Kafka runs now. */
  tls?: boolean;
  json: boolean;
}

export const usage =
  'usage: stack up [--brokers 1|3] [--only kafka,schemaRegistry,postgres,redis,clickhouse] [--tls | --no-tls] [--port-offset N] | down | status [--json]';

export function parseStackArgs(argv: string[]): StackCliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      brokers: { type: 'string' },
      only: { type: 'string' },
      'port-offset': { type: 'string' },
      json: { type: 'boolean', default: false },
      tls: { type: 'boolean' },
      'no-tls': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (command !== 'up' && command !== 'down' && command !== 'status') throw new Error(usage);
  if (positionals.length > 1) throw new Error(`unexpected argument ${positionals[1]}\n${usage}`);
  const out: StackCliArgs = { command, json: values.json ?? false };
  if (values.brokers !== undefined) {
    if (values.brokers !== '1' && values.brokers !== '3')
      throw new Error(`--brokers must be 1 or 3, not ${values.brokers}`);
    if (command !== 'up') throw new Error('--brokers goes with up');
    out.brokers = Number(values.brokers) as KafkaMode;
  }
  if (values.only !== undefined) {
    if (command !== 'up') throw new Error('--only goes with up');
    out.only = parseComponentList(values.only);
    if (out.only.length === 0) throw new Error('--only needs at least one component');
  }
  if (values.tls !== undefined || values['no-tls'] !== undefined) {
    if (command !== 'up') throw new Error('--tls and --no-tls go with up');
    if (values.tls && values['no-tls']) throw new Error('--tls or --no-tls, not both');
    out.tls = values.tls === true;
  }
  if (values['port-offset'] !== undefined) {
    const n = Number(values['port-offset']);
    if (!Number.isInteger(n) || n < 0 || n > 10_000)
      throw new Error(`--port-offset must be an integer from 0 to 10000, not ${values['port-offset']}`);
    out.portOffset = n;
  }
  return out;
}
