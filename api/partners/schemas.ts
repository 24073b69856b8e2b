/** JSON Schemas of the partner onboarding routes (registered by routes.ts, referenced as `{ $ref: 'Name#' }`). */
import { entitlements } from '../../connectors/partners/entitlements.js';
import { partnerIdPattern } from '../../connectors/partners/naming.js';
import { partnerKinds } from './store.js';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const partnerIdSchema = {
  type: 'string',
  pattern: partnerIdPattern.source,
  description: 'Lower-case letters, digits and inner hyphens, 3 to 32 characters, starting with a letter.',
} as const;

export const PartnerView = {
  $id: 'PartnerView',
  type: 'object',
  required: [
    'partnerId',
    'displayName',
    'kind',
    'entitlements',
    'status',
    'credentialVersion',
    'createdAt',
    'updatedAt',
    'suspendedAt',
    'deletedAt',
    'kafka',
  ],
  additionalProperties: false,
  properties: {
    partnerId: { type: 'string' },
    displayName: { type: 'string' },
    kind: { type: 'string', enum: partnerKinds },
    entitlements: { type: 'array', items: { type: 'string', enum: entitlements } },
    status: { type: 'string', enum: ['provisioning', 'active', 'suspended', 'deleted'] },
    credentialVersion: { type: 'integer', description: 'Incremented by every credential issued (creation, rotation).' },
    createdAt: dateTime,
    updatedAt: dateTime,
    suspendedAt: nullableDateTime,
    deletedAt: nullableDateTime,
    kafka: {
      type: 'object',
      required: ['username', 'topics', 'consumerGroupPrefix'],
      additionalProperties: false,
      properties: {
        username: { type: 'string', description: 'SCRAM user name; the Kafka principal is User:<username>.' },
        topics: { type: 'array', items: { type: 'string' }, description: 'Topics the partner may read.' },
        consumerGroupPrefix: { type: 'string', description: 'Every consumer group id of the partner starts with it.' },
      },
    },
  },
} as const;

export const PartnerCredentials = {
  $id: 'PartnerCredentials',
  type: 'object',
  description: 'Shown once: SeatStream keeps no copy of the password (Kafka stores a salted SCRAM verifier).',
  required: ['username', 'password', 'bootstrapServers', 'securityProtocol', 'saslMechanism', 'schemaRegistryUrl'],
  additionalProperties: false,
  properties: {
    username: { type: 'string' },
    password: { type: 'string' },
    bootstrapServers: { type: 'string' },
    securityProtocol: { type: 'string', enum: ['SASL_PLAINTEXT', 'SASL_SSL'] },
    saslMechanism: { type: 'string', enum: ['SCRAM-SHA-512'] },
    schemaRegistryUrl: { type: 'string' },
  },
} as const;

export const PartnerWithCredentials = {
  $id: 'PartnerWithCredentials',
  type: 'object',
  required: ['partner', 'credentials'],
  additionalProperties: false,
  properties: { partner: { $ref: 'PartnerView#' }, credentials: { $ref: 'PartnerCredentials#' } },
} as const;

export const PartnerAuditEntry = {
  $id: 'PartnerAuditEntry',
  type: 'object',
  required: ['action', 'actorId', 'requestId', 'at', 'details'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['created', 'credentials-rotated', 'suspended', 'resumed', 'deleted'] },
    actorId: { type: ['string', 'null'], format: 'uuid', description: 'The admin user, null for an operator command.' },
    requestId: { type: ['string', 'null'] },
    at: dateTime,
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const aclBinding = {
  type: 'object',
  required: ['resourceType', 'patternType', 'resourceName', 'principal', 'host', 'operation', 'permission'],
  additionalProperties: false,
  properties: {
    resourceType: { type: 'string' },
    patternType: { type: 'string' },
    resourceName: { type: 'string' },
    principal: { type: 'string' },
    host: { type: 'string' },
    operation: { type: 'string' },
    permission: { type: 'string' },
  },
} as const;

export const PartnerKafkaState = {
  $id: 'PartnerKafkaState',
  type: 'object',
  description: 'What Kafka holds for the partner now.',
  required: ['user', 'principal', 'credentials', 'acls', 'topics'],
  additionalProperties: false,
  properties: {
    user: { type: 'string' },
    principal: { type: 'string' },
    credentials: { type: 'array', items: { type: 'string' }, description: 'SCRAM mechanisms with a credential.' },
    acls: { type: 'array', items: aclBinding },
    topics: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const CreatePartnerBody = {
  type: 'object',
  required: ['partnerId', 'displayName', 'kind'],
  additionalProperties: false,
  properties: {
    partnerId: partnerIdSchema,
    displayName: { type: 'string', minLength: 1, maxLength: 200, description: "The organisation's trading name." },
    kind: { type: 'string', enum: partnerKinds },
    entitlements: {
      type: 'array',
      items: { type: 'string', enum: entitlements },
      uniqueItems: true,
      description: 'What the partner reads; all four when absent.',
    },
  },
} as const;

export const SuspendBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

export const partnerSchemas = [
  PartnerView,
  PartnerCredentials,
  PartnerWithCredentials,
  PartnerAuditEntry,
  PartnerKafkaState,
];
