/** Roles and what each requires. Registration creates customers; only an admin changes a role. */

export const roles = ['customer', 'organizer', 'admin', 'partner'] as const;
export type Role = (typeof roles)[number];

export const isRole = (x: unknown): x is Role => typeof x === 'string' && (roles as readonly string[]).includes(x);

/** Roles that may not act in their role without a verified TOTP second factor in the session. */
export const mfaRequiredRoles: readonly Role[] = ['organizer', 'admin'];

export const requiresMfa = (role: Role): boolean => mfaRequiredRoles.includes(role);
