import type { ZodMiniType } from 'zod/mini';
import type { RouteResponses } from './http/contract';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Every {@link HttpMethod}. */
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
import type { Role, Scope } from './access';

export type { Role, Scope } from './access';

/** Who may call a route. `public` routes need no credentials at all. */
export type RouteAccess =
  | { readonly public: true }
  | {
      readonly public?: false;
      /** Any of these roles (Cognito groups) grants access. */
      readonly roles: readonly Role[];
      /** Any of these scopes (machine tokens, API keys) grants access. */
      readonly scopes: readonly Scope[];
    };

/**
 * What a route's function needs beyond running: each need becomes exactly the IAM grants,
 * network access and environment the function gets, and nothing else (least privilege).
 */
export type RouteNeed =
  /** PostgreSQL through RDS Proxy as the application role (IAM auth). */
  | 'database'
  /** Send events to the work queue. */
  | 'queueSend'
  /** Read the work queue's attributes (readiness). */
  | 'queueStatus'
  /** Read the login client's id and secret (Secrets Manager). */
  | 'loginClient'
  /** Read users from the user pool (AdminGetUser). */
  | 'directoryRead'
  /** Change users' group membership (roles). */
  | 'directoryAdmin'
  /** Create, attach, disable and meter API Gateway API keys. */
  | 'apiKeyGateway';

/**
 * Capacity classes: routes with the same load shape. Each environment's `capacity.routeClasses`
 * gives a class its method throttle and expected duration; the route's reserved concurrency
 * follows from both (lib/config/capacity.ts, docs/load-testing.md).
 */
export const CAPACITY_CLASSES = [
  /** Liveness: no I/O. */
  'health',
  /** Readiness: one query and one queue call. */
  'readiness',
  /** Reads from the database. */
  'read',
  /** Writes to the database and the outbox. */
  'write',
  /** Reads the user pool (Cognito admin read quota). */
  'directory',
  /** Changes users in the user pool (Cognito admin write quota). */
  'admin',
  /** Calls the API Gateway control plane (CreateApiKey: 5 requests/s per account). */
  'keyManagement',
  /** Sign-in, challenge, refresh, logout, password confirmation (Cognito user auth). */
  'auth',
  /** Password reset codes: each one sends a mail. */
  'passwordReset',
] as const;
export type CapacityClass = (typeof CAPACITY_CLASSES)[number];

/** Request parts a route validates; each schema is zod/mini (small enough for Lambda bundles). */
export interface RouteSchemas {
  readonly body?: ZodMiniType;
  readonly query?: ZodMiniType;
  readonly path?: ZodMiniType;
}

/**
 * One route of the API, declared once. It drives the API Gateway method, the authorizer
 * policy, per-route alarms, the OpenAPI description, the local server and the wrapper.
 */
export interface RouteDefinition {
  /** Stable identifier, camelCase; used for construct ids, metric dimensions and handler lookup. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path under the API root, always starting with `/api/v1`, with `{param}` placeholders. */
  readonly path: string;
  /** Handler entry, relative to `lambda/functions/`, e.g. `projects/handler.ts`. */
  readonly handler: string;
  readonly access: RouteAccess;
  /**
   * The route's capacity class: its method throttle and reserved concurrency per environment come
   * from `capacity.routeClasses.<class>` in config. Required in the manifest ({@link ManifestRoute}).
   * @default - none: a route without one cannot be deployed
   */
  readonly capacityClass?: CapacityClass;
  /**
   * Seconds a response may be cached (CloudFront and `Cache-Control`); 0 means never.
   * @default 0
   */
  readonly cacheTtlSeconds?: number;
  /**
   * Milliseconds the handler may run before the wrapper answers 504.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Largest accepted request body, in bytes.
   * @default 1048576 (1 MiB)
   */
  readonly bodyLimitBytes?: number;
  readonly schemas?: RouteSchemas;
  /**
   * What the route answers: success statuses with body schemas and headers, and its own problem
   * codes. The wrapper checks every answer against it; the OpenAPI document is built from it.
   * Required in the manifest ({@link ManifestRoute}).
   * @default - not checked (ad-hoc routes in tests)
   */
  readonly responses?: RouteResponses;
  /**
   * A realistic request for the API reference; a test checks it against `schemas`.
   * @default - none
   */
  readonly requestExample?: {
    readonly body?: unknown;
    readonly query?: Readonly<Record<string, string>>;
    readonly path?: Readonly<Record<string, string>>;
  };
  /** A short sentence for the API reference. Required in the manifest. @default - none */
  readonly summary?: string;
  /** Longer description for the API reference (Markdown). @default - none */
  readonly description?: string;
  /** Body fields that may carry allow-listed rich text instead of being stripped to plain text. */
  readonly richTextFields?: readonly string[];
  /** Set when the route is deprecated: drives `Deprecation`, `Sunset` and `Link` headers. */
  readonly deprecation?: {
    /** When the route was deprecated (ISO 8601 date). */
    readonly since: string;
    /** When the route stops working (ISO 8601 date). */
    readonly sunset: string;
    /** Where the replacement is documented. */
    readonly link?: string;
  };
  /**
   * What the function needs (grants, network, environment).
   * @default - nothing: no database, queue or directory access
   */
  readonly needs?: readonly RouteNeed[];
  /** Returns `Idempotency-Key`-aware responses (writes only). */
  readonly idempotent?: boolean;
  /** Requires `If-Match` for updates (412 on mismatch). */
  readonly conditionalUpdate?: boolean;
}

/** A route of the manifest: every one declares its capacity class. */
export type ManifestRoute = RouteDefinition & { readonly capacityClass: CapacityClass };

/** A route as the manifest files declare it: with its contract (responses) and a summary. */
export type DeclaredRoute = ManifestRoute & { readonly responses: RouteResponses; readonly summary: string };

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

/** Identity function that keeps a route literal's type while checking it. */
export function defineRoute<const T extends RouteDefinition>(route: T): T {
  return route;
}

/** An API Gateway method: one HTTP method, or `ANY` (every method the resource has no explicit one for). */
export type GatewayMethod = HttpMethod | 'ANY';

/**
 * One access rule of a mounted app: who may call which methods under a sub-path of its prefix.
 * A request is allowed when at least one rule matches its method and path and EVERY rule that
 * matches allows the caller (so a narrower rule can only restrict a wider one). That is what the
 * authorizer's cached policy enforces at the gateway (an explicit Deny wins), and the wrapper checks
 * the same again; a request no rule matches is refused (403).
 */
export interface MountRule {
  /** `ANY` or a list of methods. */
  readonly methods: 'ANY' | readonly HttpMethod[];
  /**
   * Path under the mount's prefix, starting with `/`: literal segments, `{name}` for one segment,
   * and a last `{name+}` for any number of segments (`/{rest+}` is everything under the prefix).
   * As in the authorizer's IAM policy, a placeholder may span `/`.
   */
  readonly path: string;
  readonly access: RouteAccess;
}

/** An existing HTTP service behind a mount: API Gateway's HTTP proxy integration. */
export interface HttpBackend {
  /** `https://host[:port][/base]`: the request's path under the mount's prefix is appended. */
  readonly url: string;
  /**
   * A private service: the id of the VPC link (to a Network Load Balancer) the integration goes through.
   * @default - a public HTTPS endpoint
   */
  readonly vpcLinkId?: string;
}

/** A sub-route the mounted app documents (method and path under the prefix); the rest of the prefix is opaque. */
export interface DeclaredSubRoute {
  readonly method: HttpMethod;
  /** Under the prefix, with `{param}` placeholders, e.g. `/orders/{id}`. */
  readonly path: string;
  readonly summary: string;
}

/**
 * A mounted app: an existing web application (a Hono app in Lambda, or an HTTP backend) that serves
 * everything under `prefix`, behind the same authorizer, WAF, throttles, CloudFront and wrapper as the
 * manifest's routes. API Gateway gets `ANY {prefix}/{proxy+}`; a route declared explicitly in the
 * manifest under the same prefix takes precedence (API Gateway prefers an explicit resource and
 * method over the greedy one), which is how endpoints move to Rampart handlers one at a time.
 */
export interface MountDefinition {
  /** Stable identifier, camelCase: construct ids, metric dimensions, the gateway method's operation name. */
  readonly id: string;
  /** Path prefix under the API root, starting with `/api/v1`, without a trailing `/` or placeholders. */
  readonly prefix: string;
  /**
   * What serves the prefix: a handler entry under `lambda/functions/` (the app inside the Rampart
   * wrapper, `mountedApp()`), or an HTTP backend.
   */
  readonly target: { readonly handler: string } | { readonly backend: HttpBackend };
  /** Who may call what under the prefix. All rules public, or none (the gateway method is either open or behind the authorizer). */
  readonly rules: readonly MountRule[];
  readonly capacityClass: CapacityClass;
  /**
   * Milliseconds the app may take before the wrapper (or, for a backend, API Gateway) answers 504.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Largest accepted request body, in bytes.
   * @default 1048576 (1 MiB)
   */
  readonly bodyLimitBytes?: number;
  /**
   * What the app's function needs (grants, network, environment). Lambda targets only.
   * @default - nothing
   */
  readonly needs?: readonly RouteNeed[];
  /**
   * Sub-routes the app documents, for the API description; everything else under the prefix is opaque.
   * @default - none: the whole prefix is opaque
   */
  readonly declaredRoutes?: readonly DeclaredSubRoute[];
}

/** Identity function that keeps a mount literal's type while checking it. */
export function defineMount<const T extends MountDefinition>(mount: T): T {
  return mount;
}

/** The greedy resource API Gateway serves a mount on. */
export function mountResourcePath(mount: Pick<MountDefinition, 'prefix'>): string {
  return `${mount.prefix}/{proxy+}`;
}
