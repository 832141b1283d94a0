/** Roles are Cognito groups; the order is precedence (lower wins in Cognito's `cognito:preferred_role`). */
export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes of the `rampart` resource server, carried by machine tokens and API keys. */
export const SCOPES = ['rampart/read', 'rampart/write', 'rampart/admin'] as const;
export type Scope = (typeof SCOPES)[number];
