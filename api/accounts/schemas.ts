/** JSON Schemas of the accounts area. */
import { roles } from '../auth/roles.js';
import { locales } from './users.js';

export const Account = {
  $id: 'Account',
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'locale', 'mfaEnabled', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: roles },
    locale: { type: 'string', enum: locales },
    mfaEnabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** What an admin sees of a user: no personal data beyond what administration needs. */
export const UserAdminView = {
  $id: 'UserAdminView',
  type: 'object',
  required: ['id', 'role', 'locale', 'mfaEnabled', 'createdAt', 'erased'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    role: { type: 'string', enum: roles },
    locale: { type: 'string', enum: locales },
    mfaEnabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    erased: { type: 'boolean' },
  },
} as const;

export const accountSchemas = [Account, UserAdminView];
