/**
 * What a partner may read, and the ACLs that say so. Pure.
 *
 * A partner is entitled to some of: the public event catalog, live availability, sales counters, and its own
 * bookings. Each public entitlement is a READ ACL on one topic by LITERAL name; bookings are a READ ACL on the prefix
 * of the partner's own topics; consumer groups a READ ACL on the partner's group prefix (READ implies DESCRIBE in
 * Kafka, which is all a consumer needs). No WRITE, CREATE, ALTER or cluster right is ever granted.
 *
 * Suspension adds DENY ACLs on every topic, group, transactional id and on the cluster: Kafka's authorizer lets a
 * DENY win over any ALLOW, so the partner's ALLOW ACLs stay in place for a resumption, and a consumer that is already
 * connected is refused at its next fetch.
 *
 * `decide` is a model of Kafka's StandardAuthorizer for these bindings (tests prove with it that no partner can reach
 * another's resources, whatever the ids); the integration tests check the real broker agrees.
 */
import { partnerTopics } from '../../topics/catalog.js';
import { partnerGroupPrefix, partnerOwnTopicPrefix, partnerPrincipal } from './naming.js';

export const entitlements = ['catalog', 'availability', 'sales', 'bookings'] as const;
export type Entitlement = (typeof entitlements)[number];

export const publicTopicOf = {
  catalog: partnerTopics.catalog.name,
  availability: partnerTopics.availability.name,
  sales: partnerTopics.sales.name,
} as const satisfies Record<Exclude<Entitlement, 'bookings'>, string>;

export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperation = 'ALL' | 'READ' | 'WRITE' | 'CREATE' | 'DELETE' | 'ALTER' | 'DESCRIBE';
export type AclPermission = 'ALLOW' | 'DENY';

export interface AclBinding {
  resourceType: AclResourceType;
  patternType: AclPatternType;
  /** `*` with LITERAL is Kafka's wildcard: every resource of the type. */
  resourceName: string;
  principal: string;
  host: '*';
  operation: AclOperation;
  permission: AclPermission;
}

/** The one cluster resource's name in Kafka. */
export const clusterResource = 'kafka-cluster';

const allow = (
  principal: string,
  resourceType: AclResourceType,
  patternType: AclPatternType,
  resourceName: string,
): AclBinding => ({
  resourceType,
  patternType,
  resourceName,
  principal,
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
});

/** The ALLOW ACLs of a partner with these entitlements (sorted, without duplicates). */
export function partnerAcls(partnerId: string, granted: readonly Entitlement[]): AclBinding[] {
  const principal = partnerPrincipal(partnerId);
  const out: AclBinding[] = [];
  for (const e of entitlements) {
    if (!granted.includes(e)) continue;
    if (e === 'bookings') out.push(allow(principal, 'TOPIC', 'PREFIXED', partnerOwnTopicPrefix(partnerId)));
    else out.push(allow(principal, 'TOPIC', 'LITERAL', publicTopicOf[e]));
  }
  out.push(allow(principal, 'GROUP', 'PREFIXED', partnerGroupPrefix(partnerId)));
  return out;
}

/** The DENY ACLs that suspend a partner: nothing on any topic, group, transactional id or the cluster. */
export function suspensionAcls(partnerId: string): AclBinding[] {
  const principal = partnerPrincipal(partnerId);
  const deny = (resourceType: AclResourceType, resourceName: string): AclBinding => ({
    resourceType,
    patternType: 'LITERAL',
    resourceName,
    principal,
    host: '*',
    operation: 'ALL',
    permission: 'DENY',
  });
  return [deny('TOPIC', '*'), deny('GROUP', '*'), deny('TRANSACTIONAL_ID', '*'), deny('CLUSTER', clusterResource)];
}

/** Operations an ACL's operation implies (Kafka: READ, WRITE, DELETE and ALTER imply DESCRIBE; ALL implies all). */
const implies = (granted: AclOperation, asked: AclOperation): boolean =>
  granted === 'ALL' ||
  granted === asked ||
  (asked === 'DESCRIBE' && ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(granted));

const matches = (b: AclBinding, type: AclResourceType, name: string): boolean =>
  b.resourceType === type &&
  (b.patternType === 'PREFIXED' ? name.startsWith(b.resourceName) : b.resourceName === '*' || b.resourceName === name);

/**
 * Whether Kafka's authorizer lets `principal` do `operation` on a resource, given the bindings: some ALLOW matches
 * and no DENY does (no ACL found: refused, as `allow.everyone.if.no.acl.found=false`). Super users aside.
 */
export function decide(
  bindings: readonly AclBinding[],
  principal: string,
  type: AclResourceType,
  name: string,
  operation: AclOperation,
): boolean {
  const relevant = bindings.filter(
    (b) => (b.principal === principal || b.principal === 'User:*') && matches(b, type, name),
  );
  // a DENY matches its own operation or ALL (implication only widens ALLOWs)
  if (relevant.some((b) => b.permission === 'DENY' && (b.operation === 'ALL' || b.operation === operation)))
    return false;
  return relevant.some((b) => b.permission === 'ALLOW' && implies(b.operation, operation));
}
