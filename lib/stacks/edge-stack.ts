import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { MOUNTS, ROUTES } from '../../lambda/routes';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  type MountDefinition,
  type RouteDefinition,
} from '../../lambda/shared/route';
import { ProtectedWebAcl } from '../constructs/edge/protected-web-acl';
import type { ManagedRuleGroup } from '../constructs/edge/waf-rules';
import { capacityPlan, type EdgeConfig } from '../config';
import { RampartStack, type RampartStackProps } from './rampart-stack';

/** CloudFront only uses web ACLs and certificates from this region. */
export const EDGE_REGION = 'us-east-1';

/** Path prefix of the routes the stricter per-IP rate rule protects. */
export const AUTH_PATH_PREFIX = '/api/v1/auth/';

/**
 * Path prefixes of the browser-facing routes: login, MFA challenge, refresh, logout and password
 * reset, where people type credentials into the web app. Bot Control and the hosting-provider list
 * judge clients there only (docs/edge.md); machine clients call every other route with a token or
 * an API key. Only public routes live under these prefixes (a test holds it), so no credentialed
 * call is ever judged by a browser-only protection.
 */
export const BROWSER_PATH_PREFIXES: readonly string[] = [AUTH_PATH_PREFIX];

/**
 * The largest request body any route accepts: both web ACLs refuse larger bodies. Routes without a
 * body schema refuse any body (the wrapper answers 400), so only routes with one count.
 */
export function largestBodyLimit(
  routes: readonly RouteDefinition[] = ROUTES,
  mounts: readonly Pick<MountDefinition, 'bodyLimitBytes'>[] = MOUNTS,
): number {
  return Math.max(
    0,
    ...routes
      .filter((route) => route.schemas?.body !== undefined)
      .map((route) => route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES),
    // A mounted app reads whatever body its own code accepts, up to its mount's limit.
    ...mounts.map((mount) => mount.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES),
  );
}

/** Managed groups of the edge ACL: the four baseline groups plus the paid ones the config opts into. */
export function edgeManagedRuleGroups(edge: EdgeConfig): ManagedRuleGroup[] {
  return [
    'ipReputation',
    ...(edge.anonymousIpList ? (['anonymousIp'] as const) : []),
    'common',
    'knownBadInputs',
    'sqlInjection',
    ...(edge.botControl ? (['botControl'] as const) : []),
  ];
}

/**
 * The us-east-1 part of an environment: the CLOUDFRONT-scope web ACL (and the certificate of
 * the custom domain, when one is configured without an existing certificate). The distribution
 * in the Api stack reads both through cross-region references.
 */
export class EdgeStack extends RampartStack {
  public readonly webAcl: ProtectedWebAcl;
  /** The custom domain's certificate; undefined when no domain is configured. */
  public readonly certificate?: ICertificate;

  constructor(scope: Construct, id: string, props: RampartStackProps) {
    super(scope, id, { regionOverride: EDGE_REGION, crossRegionReferences: true, ...props });
    const { edge } = this.config;
    const { waf } = capacityPlan(this.config);
    this.webAcl = new ProtectedWebAcl(this, 'EdgeWebAcl', {
      scope: 'CLOUDFRONT',
      name: `rampart-${this.config.name}-edge`,
      ruleAction: edge.ruleAction,
      rateRules: [
        // Per address, from the capacity model (lib/config/capacity.ts).
        { name: 'RateLimitAuth', ...waf.authPerIp, pathPrefix: AUTH_PATH_PREFIX },
        { name: 'RateLimitPerIp', ...waf.perIp },
      ],
      maxBodyBytes: largestBodyLimit(),
      managedRuleGroups: edgeManagedRuleGroups(edge),
      browserPaths: BROWSER_PATH_PREFIXES,
      logRetentionDays: edge.wafLogRetentionDays,
    });
    if (edge.domain) {
      this.certificate = edge.domain.certificateArn
        ? Certificate.fromCertificateArn(this, 'Certificate', edge.domain.certificateArn)
        : new Certificate(this, 'Certificate', {
            domainName: edge.domain.name,
            // The zone is named in config, never looked up (synth stays offline). Without one the
            // validation CNAME is added by hand during the deploy (npm run preflight says where).
            validation: CertificateValidation.fromDns(
              edge.domain.hostedZone
                ? HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
                    hostedZoneId: edge.domain.hostedZone.id,
                    zoneName: edge.domain.hostedZone.name,
                  })
                : undefined,
            ),
          });
    }
  }
}
