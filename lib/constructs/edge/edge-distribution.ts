import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  CachedMethods,
  Distribution,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type ResponseHeadersPolicyProps,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type ICachePolicy,
  type IResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../../lambda/shared/route';
import { SECURITY_HEADERS, type SecurityHeadersDefinition } from '../../../lambda/shared/security-headers';
import { jsonSchemaOf } from '../api/secure-rest-api';

/** A route CloudFront may serve from its shared cache: a public GET with a positive TTL. */
export function isEdgeCacheable(route: RouteDefinition): boolean {
  return route.method === 'GET' && route.access.public === true && (route.cacheTtlSeconds ?? 0) > 0;
}

/** The CloudFront path pattern of a route: each `{param}` becomes `*`. */
export function pathPatternOf(route: Pick<RouteDefinition, 'path'>): string {
  return route.path.replace(/\{\w+\}/g, '*');
}

/** Whether a CloudFront path pattern (`*` any run of characters, `?` one) matches a concrete path. */
export function patternMatches(pattern: string, path: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(path);
}

/** Query parameters a route's response varies with: the keys of its query schema, sorted. */
export function queryKeysOf(route: RouteDefinition): string[] {
  const schema = route.schemas?.query;
  if (!schema) return [];
  const properties = (jsonSchemaOf(schema) as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.keys(properties).sort();
}

/**
 * The CloudFront response headers policy fields, built field by field from the one security
 * header definition (the same data the handler wrapper renders with `securityHeaderValues()`).
 */
export function responseHeadersPolicyFields(
  definition: SecurityHeadersDefinition = SECURITY_HEADERS,
): Required<
  Pick<ResponseHeadersPolicyProps, 'securityHeadersBehavior' | 'customHeadersBehavior' | 'removeHeaders'>
> {
  const hsts = definition.strictTransportSecurity;
  const referrerPolicy = Object.values(HeadersReferrerPolicy).find(
    (policy) => policy === definition.referrerPolicy,
  );
  if (referrerPolicy === undefined) {
    throw new Error(
      `security headers: Referrer-Policy "${definition.referrerPolicy}" is not one CloudFront supports`,
    );
  }
  return {
    securityHeadersBehavior: {
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
        includeSubdomains: hsts.includeSubDomains,
        preload: hsts.preload,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption[definition.frameOptions], override: true },
      referrerPolicy: { referrerPolicy, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: definition.contentSecurityPolicy, override: true },
      xssProtection: { protection: definition.xssProtection.protection, override: true },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(definition.customHeaders).map(([header, value]) => ({
        header,
        value,
        override: true,
      })),
    },
    removeHeaders: [...definition.removeHeaders],
  };
}

export interface EdgeDistributionProps {
  /** The regional REST API (its deployment stage is the origin path). */
  readonly restApi: RestApi;
  /** The route manifest: edge-cacheable routes get their own behavior, the rest the default. */
  readonly routes: readonly RouteDefinition[];
  /** ARN (not id) of the CLOUDFRONT-scope web ACL (from the us-east-1 Edge stack). */
  readonly webAclArn: string;
  /** Header CloudFront adds to every origin request, checked by the regional web ACL. */
  readonly originVerifyHeader: { readonly name: string; readonly value: string };
  /** Which edge locations serve the distribution. */
  readonly priceClass: PriceClass;
  /** Days CloudFront access logs are kept. */
  readonly accessLogRetentionDays: number;
  /**
   * Custom domain and its us-east-1 certificate.
   * @default - the `*.cloudfront.net` name with CloudFront's certificate
   */
  readonly domain?: { readonly name: string; readonly certificate: ICertificate };
  /**
   * Whether responses vary by `Origin` (CORS is configured): cached routes then key on it.
   * @default false
   */
  readonly varyByOrigin?: boolean;
  /**
   * Security header definition of the response headers policy.
   * @default SECURITY_HEADERS
   */
  readonly securityHeaders?: SecurityHeadersDefinition;
}

/**
 * CloudFront in front of the regional REST API: HTTPS only, HTTP/2 and HTTP/3, TLS 1.2_2021 on
 * a custom domain, the edge web ACL, the security-headers policy on every response, access logs
 * to an encrypted TLS-only bucket. Caching follows the manifest: each edge-cacheable route gets a
 * behavior with its own cache policy (gzip + brotli, its query keys, its TTL); everything else
 * goes through the default behavior with caching disabled and every viewer header but Host
 * forwarded (so `Authorization` reaches the authorizer), relying on API Gateway's compression.
 */
export class EdgeDistribution extends Construct {
  public readonly distribution: Distribution;
  public readonly responseHeadersPolicy: IResponseHeadersPolicy;
  public readonly logBucket: Bucket;
  /** Cache policy of each edge-cacheable route, by route id. */
  public readonly cachePolicies: Record<string, ICachePolicy> = {};

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    const cacheable = props.routes.filter(isEdgeCacheable);
    for (const route of cacheable) {
      const pattern = pathPatternOf(route);
      const clash = props.routes.find(
        (other) => other !== route && patternMatches(pattern, other.path.replace(/\{\w+\}/g, 'x')),
      );
      if (clash) {
        throw new Error(
          `EdgeDistribution ${id}: cached route ${route.id} (${pattern}) would also capture ${clash.method} ` +
            `${clash.path} (${clash.id}), which must not go through a cache behavior; give them distinct paths.`,
        );
      }
    }

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Rampart security headers (lambda/shared/security-headers.ts)',
      ...responseHeadersPolicyFields(props.securityHeaders),
    });

    this.logBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with ACLs: the bucket owner must still own the objects.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const origin = new RestApiOrigin(props.restApi, {
      customHeaders: { [props.originVerifyHeader.name]: props.originVerifyHeader.value },
    });

    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    for (const route of cacheable) {
      const ttl = Duration.seconds(route.cacheTtlSeconds!);
      const queryKeys = queryKeysOf(route);
      const policy = new CachePolicy(
        this,
        `${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}CachePolicy`,
        {
          comment: `${route.method} ${route.path}: ${route.cacheTtlSeconds}s (route manifest)`,
          minTtl: Duration.seconds(0),
          defaultTtl: ttl,
          maxTtl: ttl,
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
          cookieBehavior: CacheCookieBehavior.none(),
          headerBehavior: props.varyByOrigin
            ? CacheHeaderBehavior.allowList('Origin')
            : CacheHeaderBehavior.none(),
          queryStringBehavior:
            queryKeys.length > 0
              ? CacheQueryStringBehavior.allowList(...queryKeys)
              : CacheQueryStringBehavior.none(),
        },
      );
      this.cachePolicies[route.id] = policy;
      additionalBehaviors[pathPatternOf(route)] = {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: CachedMethods.CACHE_GET_HEAD,
        cachePolicy: policy,
        compress: true,
        responseHeadersPolicy: this.responseHeadersPolicy,
      };
    }

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Rampart API (${props.restApi.deploymentStage.stageName})`,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // Nothing is cached here, so CloudFront does not compress: API Gateway does (minCompressionSize).
        compress: false,
        responseHeadersPolicy: this.responseHeadersPolicy,
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: props.domain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.acknowledgeFindings(props);
  }

  /** ARN of the distribution, for IAM statements. */
  public get distributionArn(): string {
    return Stack.of(this).formatArn({
      service: 'cloudfront',
      region: '',
      resource: 'distribution',
      resourceName: this.distribution.distributionId,
    });
  }

  private acknowledgeFindings(props: EdgeDistributionProps): void {
    const bucket = this.logBucket.node.defaultChild!;
    for (const id of ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled']) {
      Validations.of(bucket).acknowledge({
        id,
        reason:
          'This bucket is the access-log destination itself; logging it into another bucket would only log log deliveries.',
      });
    }
    Validations.of(bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason:
        'CloudFront access logs are operational evidence kept for accessLogRetentionDays, versioned and retained on stack removal; a second-region copy is not worth its cost for them.',
    });
    Validations.of(bucket).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        'Encrypted at rest with S3-managed keys: CloudFront standard log delivery writes with ACLs under the awslogsdelivery account, and the logs carry no credentials (CloudFront does not log request headers such as Authorization).',
    });
    const distribution = this.distribution.node.defaultChild!;
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The API serves customers wherever they are; abuse is handled by the edge web ACL (IP reputation, rate rules), not by country.',
    });
    if (!props.domain) {
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain in this environment: the default *.cloudfront.net certificate has a security policy CloudFront fixes and cannot be raised; environments with edge.domain use TLSv1.2_2021.',
      });
    }
  }
}
