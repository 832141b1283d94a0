import { toJSONSchema } from 'zod/v4/core';
import type { ZodMiniType } from 'zod/mini';
import { apiKeyRoutes } from '../../lambda/routes/api-keys';
import { authRoutes } from '../../lambda/routes/auth';
import { healthRoutes } from '../../lambda/routes/health';
import { projectRoutes } from '../../lambda/routes/projects';
import { shopMounts, shopRoutes } from '../../lambda/routes/shop';
import * as z from 'zod/mini';
import { MountAccessRules } from '../../lambda/shared/mount-access';
import { ROLE_SCOPES, ROLES, SCOPES } from '../../lambda/shared/access';
import { ERROR_CATALOGUE, type ErrorCode } from '../../lambda/shared/errors';
import { declaredErrorCodes, problemSchema, RESPONSE_HEADERS } from '../../lambda/shared/http/contract';
import { problemDetails } from '../../lambda/shared/http/problem';
import { deprecationHeaders } from '../../lambda/shared/http/route-headers';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  mountResourcePath,
  type DeclaredRoute,
  type MountDefinition,
  type RouteAccess,
} from '../../lambda/shared/route';

/** A JSON value of the document. */
type Json = Record<string, unknown>;

/** The API's areas, in the order the reference shows them; each is a tag. */
const AREAS: readonly {
  readonly tag: string;
  readonly description: string;
  readonly routes: object;
  readonly mounts?: object;
}[] = [
  { tag: 'Health', description: 'Liveness and readiness.', routes: healthRoutes },
  { tag: 'Projects', description: 'The projects resource.', routes: projectRoutes },
  {
    tag: 'Auth',
    description: 'Sign-in, tokens, password reset, the caller and role management.',
    routes: authRoutes,
  },
  {
    tag: 'API keys',
    description: 'Keys for machine callers: create, list, rotate, revoke, usage.',
    routes: apiKeyRoutes,
  },
  {
    tag: 'Shop',
    description:
      'The shop app (examples/hono-app) mounted at `/api/v1/shop`, and the endpoints carved out of it into Rampart handlers (docs/adopting.md).',
    routes: shopRoutes,
    mounts: shopMounts,
  },
];

/** A declared sub-route of a mount as an operation of the document: which mount serves it. */
const MOUNT_OF = new WeakMap<DeclaredRoute, MountDefinition>();

function pascalOf(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Who passes every rule of the mount that matches a call of the sub-route (as the wrapper decides). */
function subRouteAccess(rules: MountAccessRules, method: string, path: string): RouteAccess {
  const sample = path.replace(/\{[^}]+\}/g, 'x');
  const principal = (roles: readonly string[], scopes: readonly string[]) =>
    ({ sub: 'x', roles, scopes, authType: 'user' }) as const;
  if (rules.decide(undefined, method, sample) === 'allowed') return { public: true };
  return {
    roles: ROLES.filter((role) => rules.decide(principal([role], []), method, sample) === 'allowed'),
    scopes: SCOPES.filter((scope) => rules.decide(principal([], [scope]), method, sample) === 'allowed'),
  } as RouteAccess;
}

/**
 * The sub-routes a mounted app declares, as operations: method, path, summary, who may call them
 * (from the mount's rules), Rampart's own problem responses; their request and response bodies are
 * the app's and are not described. Everything else under the prefix is opaque (`x-rampart-mounts`).
 */
export function mountOperationRoutes(mount: MountDefinition): DeclaredRoute[] {
  const rules = new MountAccessRules(mount);
  return (mount.declaredRoutes ?? []).map((declared) => {
    const path = `${mount.prefix}${declared.path}`;
    const names = [...declared.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    const route: DeclaredRoute = {
      id: `${mount.id}${pascalOf(declared.method.toLowerCase())}${pascalOf(declared.path) || 'Root'}`,
      method: declared.method,
      path,
      handler: 'handler' in mount.target ? mount.target.handler : '',
      access: subRouteAccess(rules, declared.method, path),
      capacityClass: mount.capacityClass,
      bodyLimitBytes: mount.bodyLimitBytes,
      summary: declared.summary,
      description: `Served by the mounted app \`${mount.id}\` (${'handler' in mount.target ? 'Lambda' : 'HTTP backend'}): its request and response bodies are the app’s own and are not described here.`,
      ...(names.length > 0
        ? {
            schemas: {
              path: z.strictObject(
                Object.fromEntries(
                  names.map((name) => [name, z.string().check(z.minLength(1), z.maxLength(200))]),
                ),
              ),
            },
            requestExample: { path: Object.fromEntries(names.map((name) => [name, EXAMPLE_PATH_VALUE])) },
          }
        : {}),
      responses: {
        success: {
          200: {
            description: 'The app’s answer (2xx as the app sends it; not described).',
            optionalHeaders: ['ratelimit-policy'],
          },
        },
        errors: [
          'VALIDATION_FAILED',
          'NOT_FOUND',
          'CONFLICT',
          'UNSAFE_INPUT',
          'MALFORMED_JSON',
          'PAYLOAD_TOO_LARGE',
        ],
      },
    };
    MOUNT_OF.set(route, mount);
    return route;
  });
}

const EXAMPLE_PATH_VALUE = '4f6e2b8c-3d1a-4c5e-9b7f-0a2d6e8c1b34';

/** Identifies the document; bump `API_VERSION` with every released contract (docs/versioning.md). */
export const API_VERSION = '1.1.0';

/** The largest length a string of a given format can have: these formats bound strings themselves. */
const FORMAT_MAX_LENGTH: Readonly<Record<string, number>> = {
  uuid: 36,
  date: 10,
  'date-time': 35,
  email: 254,
};

/**
 * A zod/mini schema as JSON Schema draft 2020-12 (OpenAPI 3.1's dialect), with `$schema` dropped and
 * strings of a bounded format given that bound as `maxLength`, so every string is visibly limited.
 */
export function openApiSchemaOf(schema: ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  return boundFormats(rest) as Json;
}

function boundFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(boundFormats);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = boundFormats(value);
  if (out.type === 'integer' && out.format === undefined) {
    const inInt32 =
      typeof out.minimum === 'number' &&
      typeof out.maximum === 'number' &&
      out.minimum >= -2_147_483_648 &&
      out.maximum <= 2_147_483_647;
    out.format = inInt32 ? 'int32' : 'int64';
  }
  const format = out.format;
  if (out.type === 'string' && typeof format === 'string' && out.maxLength === undefined) {
    const max = FORMAT_MAX_LENGTH[format];
    if (max !== undefined) out.maxLength = max;
  }
  return out;
}

function tagOf(route: DeclaredRoute): string {
  const mount = MOUNT_OF.get(route);
  const area = AREAS.find((candidate) =>
    mount !== undefined
      ? Object.values(candidate.mounts ?? {}).includes(mount)
      : Object.hasOwn(candidate.routes, route.id),
  );
  if (area === undefined) throw new Error(`route ${route.id} belongs to no area of the reference`);
  return area.tag;
}

/** How the authorizer verifies tokens (aws-jwt-verify), in the words OWASP's ruleset looks for. */
const JWT_VERIFICATION =
  'Tokens are verified following RFC8725 (JWT best current practices): the algorithm is pinned to RS256 with keys from the user pool’s JWKS, and issuer, client, token use and expiry are checked.';

const SECURITY_SCHEMES = {
  CognitoUser: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A Cognito user’s access token from `POST /api/v1/auth/login`, valid for an hour. Its groups are the roles (`admin`, `editor`, `viewer`); each operation lists the roles it accepts. ' +
      JWT_VERIFICATION,
  },
  CognitoClient: {
    type: 'oauth2',
    description:
      'A machine token from the Cognito client-credentials flow, with `rampart/*` scopes, valid for an hour. ' +
      JWT_VERIFICATION,
    flows: {
      clientCredentials: {
        tokenUrl: 'https://auth.rampart.dev/oauth2/token',
        scopes: Object.fromEntries(SCOPES.map((scope) => [scope, scopeDescription(scope)])),
      },
    },
  },
  ApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'An API key sent as `Authorization: ApiKey rmp_live_…` (never in the query string). A key carries scopes chosen at creation, a subset of its creator’s.',
  },
} as const;

function scopeDescription(scope: (typeof SCOPES)[number]): string {
  const roles = Object.entries(ROLE_SCOPES)
    .filter(([, scopes]) => scopes.includes(scope))
    .map(([role]) => role);
  return `What the ${roles.join(', ')} role${roles.length > 1 ? 's' : ''} may do`;
}

function securityOf(route: DeclaredRoute): Json[] {
  const { access } = route;
  if (access.public === true) return [];
  const requirements: Json[] = [];
  if (access.roles.length > 0) requirements.push({ CognitoUser: [] });
  if (access.scopes.length > 0) {
    requirements.push({ CognitoClient: [...access.scopes] });
    requirements.push({ ApiKey: [] });
  }
  return requirements;
}

function accessDescription(route: DeclaredRoute): string {
  const { access } = route;
  if (access.public === true) return 'Public: no credentials.';
  const parts = [`Roles: ${access.roles.map((role) => `\`${role}\``).join(', ')}.`];
  parts.push(
    access.scopes.length > 0
      ? `Scopes (machine tokens, API keys): ${access.scopes.map((scope) => `\`${scope}\``).join(', ')}.`
      : 'Users only: machine tokens and API keys may not call it.',
  );
  return parts.join(' ');
}

function parametersOf(route: DeclaredRoute): Json[] {
  const parameters: Json[] = [];
  for (const [where, schema] of [
    ['path', route.schemas?.path],
    ['query', route.schemas?.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = openApiSchemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required ?? []) as string[]);
    const example = route.requestExample?.[where] as Record<string, unknown> | undefined;
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: property,
        ...(example?.[name] !== undefined ? { example: example[name] } : {}),
      });
    }
  }
  if (route.conditionalUpdate === true || route.method === 'DELETE') {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: route.conditionalUpdate === true,
      description: 'The `ETag` of the version you read; the write happens only if it is still current.',
      schema: { type: 'string', maxLength: 1024 },
      example: '"v3"',
    });
  }
  if (route.method === 'GET') {
    parameters.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'An `ETag` you hold; 304 without a body when it still matches.',
      schema: { type: 'string', maxLength: 1024 },
    });
  }
  if (route.idempotent === true) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'A unique key per intended write: a retry with the same key and body answers the stored response.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
      example: '9b2d1f4e-6c3a-4e8b-a1d5-7f0c2e9b3a61',
    });
  }
  return parameters;
}

const HEADER_SCHEMAS: Readonly<Record<string, Json>> = {
  etag: { type: 'string', maxLength: 64 },
  location: { type: 'string', maxLength: 2048 },
  'idempotent-replayed': { type: 'string', enum: ['true'] },
  'ratelimit-policy': { type: 'string', maxLength: 512 },
};

const HEADER_NAMES: Readonly<Record<string, string>> = {
  etag: 'ETag',
  location: 'Location',
  'idempotent-replayed': 'Idempotent-Replayed',
  'ratelimit-policy': 'RateLimit-Policy',
};

function commonHeaders(route: DeclaredRoute): Json {
  const headers: Json = {
    'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' },
    'Cache-Control': { $ref: '#/components/headers/CacheControl' },
    'Access-Control-Allow-Origin': { $ref: '#/components/headers/AccessControlAllowOrigin' },
  };
  if (route.deprecation !== undefined) {
    headers.Deprecation = { $ref: '#/components/headers/Deprecation' };
    headers.Sunset = { $ref: '#/components/headers/Sunset' };
    if (route.deprecation.link !== undefined) headers.Link = { $ref: '#/components/headers/DeprecationLink' };
  }
  return headers;
}

function successResponses(route: DeclaredRoute): Json {
  const responses: Json = {};
  for (const [status, success] of Object.entries(route.responses.success)) {
    const headers: Json = { ...commonHeaders(route) };
    for (const name of success.headers ?? []) {
      headers[HEADER_NAMES[name]] = {
        description: RESPONSE_HEADERS[name].description,
        required: true,
        schema: HEADER_SCHEMAS[name],
      };
    }
    for (const name of success.optionalHeaders ?? []) {
      headers[HEADER_NAMES[name]] = {
        description: RESPONSE_HEADERS[name].description,
        schema: HEADER_SCHEMAS[name],
      };
    }
    responses[status] = {
      description: success.description,
      headers,
      ...(success.body !== undefined
        ? {
            content: {
              'application/json': {
                schema: openApiSchemaOf(success.body, 'output'),
                example: success.example,
              },
            },
          }
        : {}),
    };
  }
  if (route.method === 'GET' && route.responses.success[200] !== undefined) {
    responses['304'] = {
      description: 'Not modified: the `ETag` sent in `If-None-Match` still matches.',
      headers: commonHeaders(route),
    };
  }
  return responses;
}

function errorResponses(route: DeclaredRoute): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of declaredErrorCodes(route)) {
    const { status } = ERROR_CATALOGUE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Json = {};
  for (const [status, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const headers: Json = { ...commonHeaders(route) };
    if (status === 429 || status === 503)
      headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
    if (status === 401) headers['WWW-Authenticate'] = { $ref: '#/components/headers/WwwAuthenticate' };
    responses[String(status)] = {
      description: `Problem (RFC 9457), \`code\` one of: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      headers,
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: Object.fromEntries(
            codes.map((code) => [code, { $ref: `#/components/examples/${code}` }]),
          ),
        },
      },
    };
  }
  return responses;
}

function requestBodyOf(route: DeclaredRoute): Json | undefined {
  const body = route.schemas?.body;
  if (body === undefined) return undefined;
  return {
    required: true,
    description: `JSON, at most ${route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES} bytes.`,
    content: {
      'application/json': { schema: openApiSchemaOf(body, 'input'), example: route.requestExample?.body },
    },
  };
}

function operationOf(route: DeclaredRoute): Json {
  const requestBody = requestBodyOf(route);
  const deprecation = route.deprecation;
  const description = [
    route.description,
    accessDescription(route),
    deprecation !== undefined
      ? `**Deprecated** since ${deprecation.since}; stops working on ${deprecation.sunset} (Sunset).${deprecation.link !== undefined ? ` Replacement: ${deprecation.link}` : ''}`
      : undefined,
  ]
    .filter((part) => part !== undefined)
    .join('\n\n');
  return {
    operationId: route.id,
    tags: [tagOf(route)],
    summary: route.summary,
    description,
    ...(deprecation !== undefined ? { deprecated: true } : {}),
    security: securityOf(route),
    ...(route.access.public === true ? {} : { 'x-rampart-roles': [...route.access.roles] }),
    ...(deprecation !== undefined ? { 'x-sunset': deprecation.sunset } : {}),
    parameters: parametersOf(route),
    ...(requestBody !== undefined ? { requestBody } : {}),
    responses: { ...successResponses(route), ...errorResponses(route) },
  };
}

/** A real problem body per code, as the wrapper writes it. */
function problemExamples(codes: ReadonlySet<ErrorCode>): Json {
  const examples: Json = {};
  for (const code of (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((candidate) =>
    codes.has(candidate),
  )) {
    const errors =
      code === 'VALIDATION_FAILED'
        ? [{ field: 'body.name', message: 'must be at most 200 characters' }]
        : undefined;
    const body = problemDetails(
      {
        code,
        unexpected: false,
        ...(errors !== undefined ? { errors, detail: 'body.name must be at most 200 characters' } : {}),
      },
      '3f1c9a7e-2b4d-4c6e-8a0f-1d2e3c4b5a69',
      '/api/v1/projects',
    );
    examples[code] = { summary: ERROR_CATALOGUE[code].title, value: JSON.parse(JSON.stringify(body)) };
  }
  return examples;
}

/** Headers of deprecated operations (only when one is deprecated: unused components are lint warnings). */
function deprecationHeaderComponents(): Json {
  const sampleDeprecation = deprecationHeaders({ since: '2026-01-01', sunset: '2026-07-01' });
  return {
    Deprecation: {
      description: 'RFC 9745: when the operation was deprecated (`@<unix seconds>`).',
      schema: { type: 'string', maxLength: 32 },
      example: sampleDeprecation.deprecation,
    },
    Sunset: {
      description: 'RFC 8594: when the operation stops working (HTTP-date).',
      schema: { type: 'string', maxLength: 64 },
      example: sampleDeprecation.sunset,
    },
    DeprecationLink: {
      description: 'Where the replacement is documented: `<url>; rel="deprecation"`.',
      schema: { type: 'string', maxLength: 2048 },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the route manifest alone (deterministic): every
 * route, and the sub-routes each mounted app declares; the rest of a mount is listed as opaque.
 */
export function openApiDocument(
  declaredRoutes: readonly DeclaredRoute[],
  mounts: readonly MountDefinition[] = [],
): Json {
  const paths: Record<string, Json> = {};
  const routes = [...declaredRoutes, ...mounts.flatMap(mountOperationRoutes)];
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    // A carved-out route is the manifest's: the mount's declaration of the same operation yields.
    if (item[route.method.toLowerCase()] !== undefined) continue;
    const mount = MOUNT_OF.get(route);
    item[route.method.toLowerCase()] = {
      ...operationOf(route),
      ...(mount !== undefined ? { 'x-rampart-mount': mount.id } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rampart API',
      version: API_VERSION,
      summary: 'Projects, sign-in and API keys behind Rampart’s security and operations stack.',
      description: [
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`; the codes are described in docs/errors.md.',
        'Authenticate with a Cognito access token (`Authorization: Bearer …`, from `POST /api/v1/auth/login`), a machine token, or an API key (`Authorization: ApiKey …`).',
        'Versioning and deprecation: docs/versioning.md. Deprecated operations answer `Deprecation`, `Sunset` and `Link` headers.',
      ].join('\n\n'),
      contact: { name: 'Rampart platform team', url: 'https://docs.rampart.dev' },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      {
        url: 'https://{host}',
        description: 'An environment’s CloudFront domain (dev, staging, prod)',
        'x-internal': false,
        variables: { host: { default: 'api.rampart.dev', description: 'The environment’s API domain' } },
      },
    ],
    tags: AREAS.map(({ tag, description }) => ({ name: tag, description })),
    paths,
    ...(mounts.length > 0
      ? {
          'x-rampart-mounts': mounts.map((mount) => ({
            id: mount.id,
            prefix: mount.prefix,
            resource: mountResourcePath(mount),
            served: 'handler' in mount.target ? 'lambda' : 'http-backend',
            opaque:
              'Every path under the prefix that is not an operation of this document is served by the app and not described.',
            rules: mount.rules.map((rule) => ({
              methods: rule.methods,
              path: `${mount.prefix}${rule.path}`,
              access: rule.access,
            })),
          })),
        }
      : {}),
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: { Problem: openApiSchemaOf(problemSchema, 'output') },
      headers: {
        CorrelationId: {
          description:
            'The request’s correlation id (echoed from `X-Correlation-Id`, else generated); quote it to support.',
          schema: { type: 'string', maxLength: 200 },
        },
        AccessControlAllowOrigin: {
          description:
            'CORS: the request’s `Origin` when it is one of the environment’s allowed origins (config `corsAllowedOrigins`); absent otherwise. Never `*`.',
          schema: { type: 'string', format: 'uri', maxLength: 2048 },
          example: 'https://app.example.com',
        },
        CacheControl: {
          description: '`no-store` unless the operation is a cacheable read.',
          schema: { type: 'string', maxLength: 100 },
        },
        RetryAfter: {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 },
        },
        WwwAuthenticate: {
          description: 'The scheme to authenticate with.',
          schema: { type: 'string', maxLength: 100 },
        },
        ...(routes.some((route) => route.deprecation !== undefined) ? deprecationHeaderComponents() : {}),
      },
      examples: problemExamples(new Set(routes.flatMap((route) => declaredErrorCodes(route)))),
    },
  };
}

/** The document as committed: two-space JSON and a final newline. */
export function serializeDocument(document: Json): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
