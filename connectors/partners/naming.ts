/**
 * Partner ids and the Kafka names derived from them: the SCRAM user, its principal, the prefix of its topics and of
 * its consumer groups. Pure.
 *
 * Separation between partners rests on ACL prefixes (Kafka matches a PREFIXED ACL by `startsWith` on the resource
 * name), so ids are constrained until no prefix can reach what it must not:
 *   - lower-case letters, digits and inner hyphens, 3 to 32 characters: never a '.', so `partner.<a>.` is never a
 *     prefix of `partner.<b>.…` for another id b (the '.' after the id stops it), and never '_' (Kafka warns that '.'
 *     and '_' collide in metric names);
 *   - never the second segment of a public partner topic (`catalog` in `partner.catalog.v1`): `partner.catalog.` is a
 *     prefix of `partner.catalog.v1`;
 *   - a few words kept for the platform.
 * Ids are never reused after a deletion (api/partners refuses them): a principal must not inherit another partner's
 * history.
 */
import { partnerTopicPrefix, partnerTopics } from '../../topics/catalog.js';

export const partnerIdPattern = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){2,31}$/;

/** Ids no partner may take: the public partner topics' second segments, and words kept for the platform. */
export const reservedPartnerIds: ReadonlySet<string> = new Set([
  ...Object.values(partnerTopics).map((t) => t.name.split('.')[1]!),
  'public',
  'internal',
  'admin',
  'all',
  'any',
  'seatstream',
  'system',
  'platform',
]);

/** Why an id cannot be a partner id, or undefined when it can. */
export function partnerIdProblem(id: string): string | undefined {
  if (!partnerIdPattern.test(id))
    return 'a partner id is 3 to 32 lower-case letters, digits and inner hyphens, starting with a letter';
  if (reservedPartnerIds.has(id)) return `'${id}' is reserved`;
  return undefined;
}

/** The partner's SCRAM user name (its Kafka principal is `User:<this>`). */
export const partnerUser = (partnerId: string): string => `partner.${partnerId}`;

export const partnerPrincipal = (partnerId: string): string => `User:${partnerUser(partnerId)}`;

/** Every topic of the partner starts with it (same as topics/catalog.ts, named here for the ACLs). */
export const partnerOwnTopicPrefix = (partnerId: string): string => partnerTopicPrefix(partnerId);

/** Every consumer group of the partner must start with it: `partner.<id>.<anything>`. */
export const partnerGroupPrefix = (partnerId: string): string => `partner.${partnerId}.`;
