import {
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import {
  CloudFrontHeaderUpdater,
  WafV2PatternSetUpdater,
} from '../../lambda/domain/origin-verify/sdk-updaters';
import { ORIGIN_VERIFY_VALUE } from '../../lambda/domain/origin-verify/rotation';

/** Where CloudFront sends API requests: a REST API's regional host and its stage as origin path. */
export interface ApiOrigin {
  /** `<api id>.execute-api.<region>.amazonaws.com` (SSM `api-origin-domain` / `primary-origin-domain`). */
  readonly domainName: string;
  /** `/<stage>`: both regions' stages are named after the environment. */
  readonly originPath: string;
}

export interface OriginSwitch {
  /** The one distribution (SSM `/rampart/<env>/standby/distribution-id`). */
  readonly distributionId: string;
  /** The origin the API is served from now. */
  readonly from: ApiOrigin;
  /** The origin it moves to. */
  readonly to: ApiOrigin;
}

export interface OriginSwitchResult {
  /** False when every API origin already pointed at `to` (a retried step changes nothing). */
  readonly changed: boolean;
  /** Ids of the distribution origins that point at `to` now. */
  readonly originIds: readonly string[];
}

/**
 * Moves the distribution's API origin from one REST API to the other with one UpdateDistribution
 * (the configuration's ETag as If-Match, so a concurrent change fails instead of being lost). The
 * origin keeps its id, custom headers (origin-verify) and every behavior; only the host and path
 * change. Idempotent: an origin already at `to` is left alone. CloudFront's API is global
 * (us-east-1), so this works while the primary region is down; the edges take a few minutes to
 * deploy it (`GetDistribution` Status `Deployed`, which the drill waits for).
 */
export async function switchOrigin(
  cloudFront: CloudFrontClient,
  change: OriginSwitch,
): Promise<OriginSwitchResult> {
  const { DistributionConfig: config, ETag } = await cloudFront.send(
    new GetDistributionConfigCommand({ Id: change.distributionId }),
  );
  if (!config) throw new Error(`Distribution ${change.distributionId} has no configuration`);
  const origins = config.Origins?.Items ?? [];
  const at = (origin: (typeof origins)[number], target: ApiOrigin) =>
    origin.DomainName === target.domainName && (origin.OriginPath ?? '') === target.originPath;
  const moving = origins.filter((origin) => origin.DomainName === change.from.domainName);
  const arrived = origins.filter((origin) => at(origin, change.to));
  if (moving.length === 0) {
    if (arrived.length > 0) return { changed: false, originIds: arrived.map((origin) => origin.Id ?? '') };
    throw new Error(
      `Distribution ${change.distributionId} has no origin at ${change.from.domainName} or ${change.to.domainName}: ` +
        `it serves ${origins.map((origin) => origin.DomainName).join(', ') || 'nothing'}`,
    );
  }
  for (const origin of moving) {
    origin.DomainName = change.to.domainName;
    origin.OriginPath = change.to.originPath;
  }
  await cloudFront.send(
    new UpdateDistributionCommand({ Id: change.distributionId, IfMatch: ETag, DistributionConfig: config }),
  );
  return { changed: true, originIds: [...moving, ...arrived].map((origin) => origin.Id ?? '') };
}

export interface StandbyOriginVerify {
  readonly distributionId: string;
  /** The header CloudFront adds (`x-origin-verify`). */
  readonly headerName: string;
  /** The standby web ACL's pattern set (SSM `origin-verify-pattern-set`: `{"name","id"}`). */
  readonly patternSet: { readonly name: string; readonly id: string };
}

/**
 * Makes the standby web ACL accept the origin-verify value CloudFront sends now, before traffic
 * moves: the primary's rotation keeps both pattern sets in step, but a rotation the primary region
 * could not finish (it is down) may have left the standby set behind. The distribution's own
 * configuration is the truth; values already accepted stay. Returns whether the set changed.
 */
export async function acceptOriginVerifyInStandby(
  cloudFront: CloudFrontClient,
  standbyWaf: WAFV2Client,
  target: StandbyOriginVerify,
): Promise<{ readonly added: boolean }> {
  const header = new CloudFrontHeaderUpdater(
    cloudFront,
    target.distributionId,
    target.headerName.toLowerCase(),
  );
  const { value } = await header.read();
  if (value === undefined || !ORIGIN_VERIFY_VALUE.test(value)) {
    throw new Error(`Distribution ${target.distributionId} sends no valid ${target.headerName} value`);
  }
  const set = new WafV2PatternSetUpdater(standbyWaf, { ...target.patternSet, scope: 'REGIONAL' });
  const accepted = await set.accepted();
  if (accepted.includes(value)) return { added: false };
  await set.acceptOnly([...accepted, value]);
  return { added: true };
}

/** What a failover or failback of the traffic needs (the standby SSM parameters, docs/dr.md). */
export interface TrafficSwitch {
  readonly distributionId: string;
  readonly primary: ApiOrigin;
  readonly standby: ApiOrigin;
  readonly originVerify: Omit<StandbyOriginVerify, 'distributionId'>;
}

/** Failover of the traffic: the standby accepts CloudFront's origin-verify value, then the origin moves there. */
export async function switchTrafficToStandby(
  clients: { readonly cloudFront: CloudFrontClient; readonly standbyWaf: WAFV2Client },
  traffic: TrafficSwitch,
): Promise<OriginSwitchResult & { readonly originVerifyAdded: boolean }> {
  const { added } = await acceptOriginVerifyInStandby(clients.cloudFront, clients.standbyWaf, {
    distributionId: traffic.distributionId,
    ...traffic.originVerify,
  });
  const result = await switchOrigin(clients.cloudFront, {
    distributionId: traffic.distributionId,
    from: traffic.primary,
    to: traffic.standby,
  });
  return { ...result, originVerifyAdded: added };
}

/** Failback of the traffic (the reverse step): the origin moves back to the primary API. */
export async function switchTrafficToPrimary(
  clients: { readonly cloudFront: CloudFrontClient },
  traffic: Pick<TrafficSwitch, 'distributionId' | 'primary' | 'standby'>,
): Promise<OriginSwitchResult> {
  return switchOrigin(clients.cloudFront, {
    distributionId: traffic.distributionId,
    from: traffic.standby,
    to: traffic.primary,
  });
}
