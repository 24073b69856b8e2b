/**
 * The local stack manager: Kafka (KRaft, 1 or 3 nodes), SeatStream's schema registry, PostgreSQL, Redis and
 * ClickHouse on 127.0.0.1, data and logs under the stack directory. `npm run stack:up|stack:down|stack:status` is
 * the command line (infra/stack/cli.ts); tests and scripts use these functions.
 */
export {
  stackUp,
  stackDown,
  stackStatus,
  stopKafkaBroker,
  startKafkaBroker,
  restartPostgres,
  StackError,
} from './stack.js';
export type { StackOptions, StackStatus } from './stack.js';
export type { ComponentStatus, ComponentState } from './component.js';
export { ComponentNotReady } from './readiness.js';
export { componentNames, stackLayout, endpointsOf, stackEndpointsOf, allStackPorts, kafkaSaslPort } from './layout.js';
export type { ComponentName, KafkaMode, StackEndpoints } from './layout.js';
export { saslMechanism, internalPrincipal, saslReauthMs } from './kafka-security.js';
export type { SaslProtocol } from './kafka-security.js';
