import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { hash } from 'node:crypto';
import { AppError } from '../errors';
import type { StatefulEvent } from './request-state';

/** Strong ETag of an already serialized JSON body: quoted base64url SHA-256. */
export function etagOfSerialized(text: string): string {
  return `"${hash('sha256', text, 'base64url')}"`;
}

/**
 * Strong ETag of a value as the wrapper would serialize it, so the ETag a domain function computes
 * for the current resource equals the one a GET of that resource returned.
 */
export function etagOf(value: unknown): string {
  return etagOfSerialized(JSON.stringify(value) ?? '');
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** `If-None-Match` uses weak comparison (RFC 9110 13.1.2). */
export function noneMatchHits(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch === etag) return true;
  const target = stripWeak(etag);
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if (tag === '*' || stripWeak(tag) === target) return true;
  }
  return false;
}

/** `If-Match` uses strong comparison (RFC 9110 13.1.1): weak tags never match. */
export function ifMatchHits(ifMatch: string, etag: string): boolean {
  if (ifMatch === etag) return !etag.startsWith('W/');
  for (const candidate of ifMatch.split(',')) {
    const tag = candidate.trim();
    if (tag === '*') return true;
    if (tag === etag && !tag.startsWith('W/')) return true;
  }
  return false;
}

/**
 * For updates: compares the request's `If-Match` with the current resource's ETag (from
 * {@link etagOf}). Call it inside the write transaction, after reading the current row.
 * Missing `If-Match` passes unless `required` (the wrapper already rejects it with 428 on
 * `conditionalUpdate` routes); a mismatch throws 412 `PRECONDITION_FAILED`.
 */
export function assertIfMatch(
  ifMatch: string | undefined,
  currentEtag: string,
  options: { required?: boolean } = {},
): void {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    if (options.required === true) throw new AppError('PRECONDITION_REQUIRED');
    return;
  }
  if (!ifMatchHits(ifMatch, currentEtag)) {
    throw new AppError('PRECONDITION_FAILED', { headers: { etag: currentEtag } });
  }
}

export interface ConditionalRequestsOptions {
  /** ETag + `If-None-Match` handling for 200 responses (GET routes). */
  readonly conditionalGet?: boolean;
  /** Reject writes without `If-Match` (428) before the handler runs. */
  readonly requireIfMatch?: boolean;
}

const defaults = { conditionalGet: false, requireIfMatch: false };

/**
 * Step 8a: strong ETag on 200 GET responses and 304 (empty body) when `If-None-Match` matches;
 * `If-Match` required up front on `conditionalUpdate` routes. Custom: Middy has no ETag middleware.
 */
export function conditionalRequestsMiddleware(
  opts: ConditionalRequestsOptions = {},
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };

  const conditionalRequestsBefore = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    if (!options.requireIfMatch) return;
    const ifMatch = request.event.headers?.['if-match'];
    if (ifMatch === undefined || ifMatch.trim() === '') {
      throw new AppError('PRECONDITION_REQUIRED', {
        detail: 'This update requires an If-Match header with the ETag you read',
      });
    }
  };

  const conditionalRequestsAfter = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (!options.conditionalGet || response === null || response === undefined || response.statusCode !== 200)
      return;
    const headers = (response.headers ??= {});
    let etag = headers['etag'];
    if (typeof etag !== 'string') {
      etag = etagOfSerialized(response.body ?? '');
      headers['etag'] = etag;
    }
    const ifNoneMatch = request.event.headers?.['if-none-match'];
    if (ifNoneMatch !== undefined && noneMatchHits(ifNoneMatch, etag)) {
      response.statusCode = 304;
      response.body = '';
      delete headers['content-type'];
      delete headers['content-length'];
    }
  };

  return {
    before: options.requireIfMatch ? conditionalRequestsBefore : undefined,
    after: conditionalRequestsAfter,
  };
}
