/**
 * Where partners connect, as the onboarding answer tells them: the SASL listener of Kafka and the schema registry.
 * From `PARTNERS_KAFKA_BOOTSTRAP`, `PARTNERS_KAFKA_SECURITY_PROTOCOL`, `PARTNERS_SCHEMA_REGISTRY_URL` (deployments,
 * where partners reach public names), else from the local stack's endpoints (`kafkaSasl` of endpoints.json).
 */
import { loadEndpoints, type Endpoints } from '../../infra/config.js';

export interface PartnerConnection {
  bootstrapServers: string;
  securityProtocol: 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism: 'SCRAM-SHA-512';
  schemaRegistryUrl: string;
}

/** The stack's endpoints.json names the SASL listener beside infra/config.ts's endpoints (infra/stack/layout.ts). */
type WithSasl = Endpoints & { kafkaSasl?: string; kafkaSaslProtocol?: 'SASL_PLAINTEXT' | 'SASL_SSL' };

export function loadPartnerConnection(env: NodeJS.ProcessEnv = process.env): PartnerConnection {
  const e = loadEndpoints() as WithSasl;
  const protocol = env.PARTNERS_KAFKA_SECURITY_PROTOCOL || e.kafkaSaslProtocol || 'SASL_PLAINTEXT';
  if (protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL')
    throw new Error(`PARTNERS_KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL, not ${protocol}`);
  const bootstrap = env.PARTNERS_KAFKA_BOOTSTRAP || e.kafkaSasl;
  if (!bootstrap)
    throw new Error('no partner listener: set PARTNERS_KAFKA_BOOTSTRAP, or run npm run stack:up (it names kafkaSasl)');
  return {
    bootstrapServers: bootstrap,
    securityProtocol: protocol,
    saslMechanism: 'SCRAM-SHA-512',
    schemaRegistryUrl: env.PARTNERS_SCHEMA_REGISTRY_URL || e.schemaRegistry,
  };
}
