/**
 * Security of the local Kafka: who may connect where, as whom, and what they may do.
 *
 * Two client listeners per node:
 *   - PLAINTEXT (the broker port, unchanged): internal services and the brokers themselves. Its principal is
 *     `User:ANONYMOUS`, listed in `super.users`: internal services keep their own principal, the one they have
 *     always had, and need no credential. This listener is reachable on loopback only here (in production: the
 *     private network of the services, never the partners').
 *   - SASL (the broker port + 2, layout.ts): SCRAM-SHA-512 users (partners), SASL_PLAINTEXT, or SASL_SSL with `--tls` (a
 *     certificate for 127.0.0.1/localhost from a CA generated for the stack, see kafka-tls.ts). Each user may do
 *     exactly what its ACLs allow (`allow.everyone.if.no.acl.found=false`).
 * The controller listener stays PLAINTEXT (brokers and controllers are the same processes here).
 *
 * Authorisation is KRaft's StandardAuthorizer: ACLs live in the cluster metadata, so a new or removed ACL is in force
 * on every broker within the metadata propagation delay (milliseconds), checked on every request, including the
 * fetches of a consumer that is already connected. SCRAM credentials also live in the metadata (created through the
 * Admin API's AlterUserScramCredentials). A SASL session must re-authenticate every `reauthMs` (KIP-368): a client
 * whose password was rotated or deleted is cut off then at the latest; clients that cannot re-authenticate are
 * disconnected and log in again.
 *
 * Pure: this module only turns a choice into server.properties lines.
 */

/** The only SASL mechanism enabled: SCRAM with SHA-512 (the password never crosses the wire, salted and iterated). */
export const saslMechanism = 'SCRAM-SHA-512';
/** Name of the SASL listener in the broker configuration (its security protocol is plain or TLS, see below). */
export const saslListenerName = 'SASL';
/** The principal of the PLAINTEXT and CONTROLLER listeners: internal services and brokers, a super user. */
export const internalPrincipal = 'User:ANONYMOUS';
/** A SASL session lives at most this long before the client must authenticate again. */
export const saslReauthMs = 5 * 60_000;

export type SaslProtocol = 'SASL_PLAINTEXT' | 'SASL_SSL';

/** The broker's TLS key material for SASL_SSL (kafka-tls.ts makes it). */
export interface BrokerTls {
  /** PKCS#12 keystore holding the broker's key and its certificate chain. */
  keystoreFile: string;
  keystorePassword: string;
  /** The CA certificate clients trust (PEM). */
  caFile: string;
}

export interface KafkaSecurity {
  /** Absent: SASL_PLAINTEXT. Present: SASL_SSL with this key material. */
  tls?: BrokerTls;
}

export const saslProtocolOf = (security: KafkaSecurity): SaslProtocol => (security.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT');

const prefix = `listener.name.${saslListenerName.toLowerCase()}`;
const mechanismPrefix = `${prefix}.${saslMechanism.toLowerCase()}`;

/** Server properties the SASL listener and the authorizer add to a node's configuration (listeners aside). */
export function securityProperties(security: KafkaSecurity): [string, string | number | boolean][] {
  const props: [string, string | number | boolean][] = [
    ['sasl.enabled.mechanisms', saslMechanism],
    // the broker side of SCRAM needs a login module, without credentials: brokers talk to each other on PLAINTEXT
    [`${mechanismPrefix}.sasl.jaas.config`, 'org.apache.kafka.common.security.scram.ScramLoginModule required;'],
    [`${mechanismPrefix}.connections.max.reauth.ms`, saslReauthMs],
    ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
    ['super.users', internalPrincipal],
    ['allow.everyone.if.no.acl.found', false],
  ];
  if (security.tls) {
    props.push(
      [`${prefix}.ssl.keystore.type`, 'PKCS12'],
      [`${prefix}.ssl.keystore.location`, security.tls.keystoreFile],
      [`${prefix}.ssl.keystore.password`, security.tls.keystorePassword],
      [`${prefix}.ssl.key.password`, security.tls.keystorePassword],
      [`${prefix}.ssl.client.auth`, 'none'],
      [`${prefix}.ssl.enabled.protocols`, 'TLSv1.3,TLSv1.2'],
    );
  }
  return props;
}
