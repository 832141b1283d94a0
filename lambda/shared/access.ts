/** Roles are Cognito groups; the order is precedence (lower wins in Cognito's `cognito:preferred_role`). */
export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes of the `rampart` resource server, carried by machine tokens and API keys. */
export const SCOPES = ['rampart/read', 'rampart/write', 'rampart/admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes a user's roles imply, e.g. for the subset check when a user creates an API key. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  admin: ['rampart/read', 'rampart/write', 'rampart/admin'],
  editor: ['rampart/read', 'rampart/write'],
  viewer: ['rampart/read'],
};

/** API key tiers; each is a usage plan with its own throttle and quota. */
export const API_KEY_TIERS = ['free', 'standard', 'premium'] as const;
export type ApiKeyTier = (typeof API_KEY_TIERS)[number];
