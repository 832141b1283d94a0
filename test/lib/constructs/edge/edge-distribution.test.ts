import { App, Stack } from 'aws-cdk-lib';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { z } from 'zod/mini';
import {
  EdgeDistribution,
  isEdgeCacheable,
  pathPatternOf,
  patternMatches,
} from '../../../../lib/constructs/edge/edge-distribution';
import { defineRoute, type RouteDefinition } from '../../../../lambda/shared/route';
import { ROUTES } from '../../../../lambda/routes';
import {
  SECURITY_HEADERS,
  removedHeaderNames,
  securityHeaderValues,
  type SecurityHeadersDefinition,
} from '../../../../lambda/shared/security-headers';
import { createProject, getProjectCached, publicStatus } from '../../../fixtures/test-routes';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const publicCatalogue = defineRoute({
  id: 'publicCatalogue',
  method: 'GET',
  path: '/api/v1/catalogue/{slug}',
  handler: 'catalogue/get.ts',
  access: { public: true },
  cacheTtlSeconds: 300,
  schemas: { query: z.object({ page: z.optional(z.string()), lang: z.optional(z.string()) }) },
});

function distributionTemplate(
  routes: readonly RouteDefinition[],
  options: { varyByOrigin?: boolean; securityHeaders?: SecurityHeadersDefinition } = {},
): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const api = new RestApi(stack, 'Api', { deployOptions: { stageName: 'test' } });
  api.root.addMethod('GET', new MockIntegration());
  new EdgeDistribution(stack, 'Edge', {
    restApi: api,
    routes,
    webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc',
    originVerifyHeader: { name: 'x-origin-verify', value: 'v' },
    priceClass: PriceClass.PRICE_CLASS_100,
    accessLogRetentionDays: 30,
    ...options,
  });
  return Template.fromStack(stack);
}

type HeadersPolicyConfig = {
  SecurityHeadersConfig: {
    StrictTransportSecurity: {
      AccessControlMaxAgeSec: number;
      IncludeSubdomains: boolean;
      Preload: boolean;
      Override: boolean;
    };
    FrameOptions: { FrameOption: string; Override: boolean };
    ContentTypeOptions: { Override: boolean };
    ReferrerPolicy: { ReferrerPolicy: string; Override: boolean };
    ContentSecurityPolicy: { ContentSecurityPolicy: string; Override: boolean };
    XSSProtection: { Protection: boolean; ModeBlock?: boolean; Override: boolean };
  };
  CustomHeadersConfig: { Items: { Header: string; Value: string; Override: boolean }[] };
  RemoveHeadersConfig: { Items: { Header: string }[] };
};

function headersPolicyOf(template: Template): HeadersPolicyConfig {
  const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as {
    Properties: { ResponseHeadersPolicyConfig: HeadersPolicyConfig };
  }[];
  return policy.Properties.ResponseHeadersPolicyConfig;
}

/** The header values CloudFront sends for a policy, per its documented rendering of each field. */
function renderedByCloudFront(config: HeadersPolicyConfig): Record<string, string> {
  const security = config.SecurityHeadersConfig;
  const sts = security.StrictTransportSecurity;
  const xss = security.XSSProtection;
  const headers: Record<string, string> = {
    'strict-transport-security':
      `max-age=${sts.AccessControlMaxAgeSec}` +
      (sts.IncludeSubdomains ? '; includeSubDomains' : '') +
      (sts.Preload ? '; preload' : ''),
    'x-frame-options': security.FrameOptions.FrameOption,
    'x-content-type-options': 'nosniff',
    'referrer-policy': security.ReferrerPolicy.ReferrerPolicy,
    'content-security-policy': security.ContentSecurityPolicy.ContentSecurityPolicy,
    'x-xss-protection': xss.Protection ? `1${xss.ModeBlock ? '; mode=block' : ''}` : '0',
  };
  for (const item of config.CustomHeadersConfig.Items) headers[item.Header.toLowerCase()] = item.Value;
  return headers;
}

describe('security headers: the CloudFront policy and the wrapper come from one definition and agree', () => {
  test('every header value CloudFront sends equals the value the handler wrapper sets', () => {
    const config = headersPolicyOf(distributionTemplate([]));
    expect(renderedByCloudFront(config)).toEqual(securityHeaderValues(SECURITY_HEADERS));
    expect(config.RemoveHeadersConfig.Items.map((item) => item.Header.toLowerCase())).toEqual(
      removedHeaderNames(),
    );
    expect(removedHeaderNames()).toEqual(['server', 'x-powered-by']);
  });

  test('exact values: HSTS 2 years + includeSubDomains + preload, DENY, nosniff, no-referrer, JSON CSP, XSS auditor off', () => {
    const security = headersPolicyOf(distributionTemplate([])).SecurityHeadersConfig;
    expect(security).toEqual({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Preload: true,
        Override: true,
      },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentSecurityPolicy: {
        ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        Override: true,
      },
      XSSProtection: { Protection: false, Override: true },
    });
    expect(headersPolicyOf(distributionTemplate([])).CustomHeadersConfig.Items).toEqual([
      {
        Header: 'Permissions-Policy',
        Value:
          'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
        Override: true,
      },
      { Header: 'Cross-Origin-Opener-Policy', Value: 'same-origin', Override: true },
      { Header: 'Cross-Origin-Resource-Policy', Value: 'same-origin', Override: true },
      { Header: 'Cross-Origin-Embedder-Policy', Value: 'require-corp', Override: true },
    ]);
  });

  test('the policy follows the definition it is given (built field by field, not hard-coded)', () => {
    const changed: SecurityHeadersDefinition = {
      ...SECURITY_HEADERS,
      strictTransportSecurity: { maxAgeSeconds: 31_536_000, includeSubDomains: true, preload: true },
      contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; sandbox",
    } as unknown as SecurityHeadersDefinition;
    const config = headersPolicyOf(distributionTemplate([], { securityHeaders: changed }));
    expect(renderedByCloudFront(config)).toEqual(securityHeaderValues(changed));
    expect(renderedByCloudFront(config)).not.toEqual(securityHeaderValues(SECURITY_HEADERS));
  });
});

describe('caching per route kind', () => {
  test('only public GETs with a positive TTL are edge-cacheable; authenticated TTLs stay private', () => {
    expect(isEdgeCacheable(publicStatus)).toBe(true);
    expect(isEdgeCacheable(getProjectCached)).toBe(false);
    expect(isEdgeCacheable(createProject)).toBe(false);
    expect(ROUTES.filter(isEdgeCacheable).map((route) => route.id)).toEqual([]);
  });

  test('a cacheable route gets a GET/HEAD behavior with its own policy: gzip + brotli, manifest TTL, no headers/cookies', () => {
    const template = distributionTemplate([publicStatus, getProjectCached, createProject]);
    template.resourceCountIs('AWS::CloudFront::CachePolicy', 1);
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        DefaultTTL: 60,
        MaxTTL: 60,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        CacheBehaviors: [
          {
            PathPattern: '/api/v1/status',
            AllowedMethods: ['GET', 'HEAD'],
            CachedMethods: ['GET', 'HEAD'],
            CachePolicyId: { Ref: Match.stringLikeRegexp('^EdgePublicStatusCachePolicy') },
            Compress: true,
            ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('^EdgeSecurityHeaders') },
            TargetOriginId: Match.anyValue(),
            ViewerProtocolPolicy: 'https-only',
          },
        ],
        DefaultCacheBehavior: Match.objectLike({
          CachePolicyId: CACHING_DISABLED,
          OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          Compress: false,
        }),
      },
    });
  });

  test('the cache key holds exactly what varies the response: the query schema keys, and Origin when CORS is on', () => {
    const template = distributionTemplate([publicCatalogue], { varyByOrigin: true });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        DefaultTTL: 300,
        MaxTTL: 300,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Origin'] },
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['lang', 'page'] },
        }),
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [Match.objectLike({ PathPattern: '/api/v1/catalogue/*' })],
      }),
    });
  });

  test('a cached pattern that would capture another route (which needs Authorization or a body) is refused', () => {
    const listing = defineRoute({ ...publicCatalogue, id: 'publicList', path: '/api/v1/catalogue' });
    const write = defineRoute({
      ...createProject,
      id: 'createInCatalogue',
      path: '/api/v1/catalogue/{slug}/items',
    });
    expect(() => distributionTemplate([publicCatalogue, write])).toThrow(
      /cached route publicCatalogue \(\/api\/v1\/catalogue\/\*\) would also capture POST \/api\/v1\/catalogue\/\{slug\}\/items/,
    );
    expect(() => distributionTemplate([publicCatalogue, listing])).not.toThrow();
  });

  test('path patterns: {param} becomes *, and * spans slashes as in CloudFront', () => {
    expect(pathPatternOf({ path: '/api/v1/projects/{id}/members/{member}' })).toBe(
      '/api/v1/projects/*/members/*',
    );
    expect(patternMatches('/api/v1/a/*', '/api/v1/a/x/b')).toBe(true);
    expect(patternMatches('/api/v1/a/*', '/api/v1/a')).toBe(false);
    expect(patternMatches('/api/v1/a.json', '/api/v1/aXjson')).toBe(false);
  });
});

describe('distribution settings', () => {
  test('HTTPS only, HTTP/2 and 3, the ACL by ARN, logging to the bucket, origin header', () => {
    const template = distributionTemplate([]);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        HttpVersion: 'http2and3',
        PriceClass: 'PriceClass_100',
        WebACLId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc',
        Logging: {
          Bucket: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeAccessLogs'), 'RegionalDomainName'] },
          Prefix: 'cloudfront/',
        },
        Origins: [
          Match.objectLike({
            OriginCustomHeaders: [{ HeaderName: 'x-origin-verify', HeaderValue: 'v' }],
            CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
          }),
        ],
      }),
    });
  });
});
