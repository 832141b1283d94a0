import { z } from 'zod/mini';
import { routes, ROUTES } from '../../../../lambda/routes';
import { AppError } from '../../../../lambda/shared/errors';
import { api } from '../../../../lambda/shared/http/api';
import {
  declaredErrorCodes,
  handlerErrorCodes,
  problemSchema,
  responseViolations,
} from '../../../../lambda/shared/http/contract';
import {
  defaultResponseCheckMode,
  RESPONSE_CONTRACT_METRIC,
  responseContractMiddleware,
  ResponseContractViolation,
} from '../../../../lambda/shared/http/response-contract';
import { metrics } from '../../../../lambda/shared/powertools';
import { defineRoute } from '../../../../lambda/shared/route';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';

/** A route with a contract: 200 with `{ name }` and a Location, its own NOT_FOUND. */
const declared = defineRoute({
  id: 'contractProbe',
  method: 'GET',
  path: '/api/v1/probes/{id}',
  handler: 'probes/get.ts',
  access: { public: true },
  responses: {
    success: {
      200: { description: 'ok', body: z.strictObject({ name: z.string() }), headers: ['location'] },
    },
    errors: ['NOT_FOUND'],
  },
});

const event = () => apiEvent({ path: '/api/v1/probes/1', resource: '/api/v1/probes/{id}' });

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

describe('the response check in the wrapper (tests and local stack: enforce)', () => {
  it('passes a declared answer through unchanged', async () => {
    const handler = api(declared, () => ({ status: 200, body: { name: 'a' }, headers: { location: '/x' } }));
    const res = await invoke(handler, event());
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ name: 'a' });
  });

  it('fails the invocation on an undeclared status', async () => {
    const handler = api(declared, () => ({ status: 202, body: { name: 'a' } }));
    await expect(invoke(handler, event())).rejects.toThrow(
      new ResponseContractViolation('contractProbe', ['status 202 is not declared']),
    );
  });

  it('fails on a body that does not match and on a missing required header', async () => {
    const handler = api(declared, () => ({ status: 200, body: { name: 7 } }));
    const failure = await invoke(handler, event()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResponseContractViolation);
    expect((failure as ResponseContractViolation).violations).toEqual([
      'status 200: body does not match: name: Invalid input',
      'status 200: header location is missing',
    ]);
  });

  it('fails on a problem code the route does not declare, and passes a declared one', async () => {
    const conflict = api(declared, () => {
      throw new AppError('CONFLICT');
    });
    await expect(invoke(conflict, event())).rejects.toThrow('code CONFLICT is not declared');
    const notFound = api(declared, () => {
      throw new AppError('NOT_FOUND');
    });
    expect((await invoke(notFound, event())).statusCode).toBe(404);
  });

  it('deployed (report mode) it only logs and counts: the answer is unchanged', () => {
    const logged: unknown[] = [];
    const counted: unknown[] = [];
    const middleware = responseContractMiddleware({
      route: declared,
      mode: 'report',
      logger: { error: (...args: unknown[]) => void logged.push(args) },
      metrics: {
        addMetric: ((...args: unknown[]) => void counted.push(args)) as unknown as typeof metrics.addMetric,
      },
    });
    const response = { statusCode: 302, headers: {}, body: '' };
    const request = { response } as unknown as Parameters<NonNullable<typeof middleware.after>>[0];
    middleware.after?.(request);
    expect(request.response).toBe(response);
    expect(logged).toEqual([
      [
        'response breaks the route contract',
        { route: 'contractProbe', violations: ['status 302 is not declared'] },
      ],
    ]);
    expect(counted).toEqual([[RESPONSE_CONTRACT_METRIC, 'Count', 1]]);
  });

  it('reports deployed (the Lambda runtime sets AWS_LAMBDA_FUNCTION_NAME), enforces elsewhere', () => {
    expect(defaultResponseCheckMode({ AWS_LAMBDA_FUNCTION_NAME: 'rampart-getProject' })).toBe('report');
    expect(defaultResponseCheckMode({})).toBe('enforce');
  });
});

describe('responseViolations', () => {
  it('accepts a 304 for a GET route that declares 200, and nothing undeclared below 400', () => {
    expect(responseViolations(declared, { statusCode: 304, headers: {}, body: '' })).toEqual([]);
    expect(responseViolations(declared, { statusCode: 302, headers: {}, body: '' })).toEqual([
      'status 302 is not declared',
    ]);
  });

  it('refuses a body that is not JSON, a body where none is declared, and a problem with the wrong status', () => {
    const bodiless = { ...declared, responses: { success: { 204: { description: 'gone' } } } };
    expect(responseViolations(declared, { statusCode: 200, body: '<html>' })).toEqual([
      'status 200: the body is not JSON',
    ]);
    expect(responseViolations(bodiless, { statusCode: 204, body: '{}' })).toEqual([
      'status 204: a body where none is declared',
    ]);
    const problem = {
      type: 't',
      title: 't',
      status: 409,
      detail: 'd',
      code: 'NOT_FOUND',
      correlationId: 'c',
    };
    expect(responseViolations(declared, { statusCode: 409, body: JSON.stringify(problem) })).toEqual([
      'status 409: code NOT_FOUND belongs to status 404',
    ]);
    expect(responseViolations(declared, { statusCode: 500, body: '{"message":"boom"}' })[0]).toMatch(
      /^status 500: not a problem body: /,
    );
  });

  it('derives the wrapper codes from the route: body, access, conditional update, idempotency, needs', () => {
    expect(handlerErrorCodes(routes.health)).toEqual([
      'VALIDATION_FAILED',
      'UNSAFE_INPUT',
      'PAYLOAD_TOO_LARGE',
      'INTERNAL',
      'TIMEOUT',
    ]);
    expect(handlerErrorCodes(routes.updateProject)).toEqual(
      expect.arrayContaining(['PRECONDITION_REQUIRED', 'PRECONDITION_FAILED', 'MALFORMED_JSON', 'FORBIDDEN']),
    );
    expect(handlerErrorCodes(routes.createProject)).toContain('IDEMPOTENCY_KEY_REUSED');
    expect(declaredErrorCodes(routes.me)).toEqual(
      expect.arrayContaining(['AUTH_TOKEN_EXPIRED', 'RATE_LIMITED']),
    );
  });
});

describe('the manifest declares a contract for every route', () => {
  it.each(ROUTES.map((route) => [route.id, route] as const))(
    '%s: success statuses with bodies and examples that match them',
    (_id, route) => {
      const statuses = Object.keys(route.responses.success).map(Number);
      expect(statuses.length).toBeGreaterThan(0);
      for (const status of statuses) {
        const success = route.responses.success[status];
        if (status === 204) {
          expect(success.body).toBeUndefined();
          continue;
        }
        expect(success.body).toBeDefined();
        expect(success.body?.safeParse(success.example).success).toBe(true);
      }
      expect(route.summary.length).toBeGreaterThan(3);
    },
  );

  it('the problem schema accepts what the error handler writes', async () => {
    const handler = api(routes.health, () => {
      throw new AppError('VALIDATION_FAILED', { errors: [{ field: 'query.x', message: 'bad' }] });
    });
    const res = await invoke(handler, apiEvent({ path: '/api/v1/health', resource: '/api/v1/health' }));
    expect(problemSchema.safeParse(res.json).success).toBe(true);
  });

  it('a body of many unknown keys gives at most 100 field errors (the declared bound)', async () => {
    const handler = api(routes.createProject, () => ({ status: 500 }));
    const body = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`k${index}`, 1]));
    const res = await invoke(
      handler,
      apiEvent({
        method: 'POST',
        path: '/api/v1/projects',
        resource: '/api/v1/projects',
        body: JSON.stringify({ name: 'n', ...body }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json?.errors).toHaveLength(100);
    expect(res.json?.detail).toBe('150 fields are invalid');
  });
});
