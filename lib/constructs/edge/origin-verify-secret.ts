import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Secret,
  type ISecret,
  type ReplicaRegion,
  type RotationSchedule,
} from 'aws-cdk-lib/aws-secretsmanager';
import { CfnRegexPatternSet } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Header CloudFront adds to every origin request; the regional web ACL refuses requests without it. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Length of a generated value: letters and digits only, so it is also a literal regular expression. */
export const ORIGIN_VERIFY_LENGTH = 64;

export interface OriginVerifySecretProps {
  /** Key encrypting the secret (unused with `existingSecret`). */
  readonly encryptionKey: IKey;
  /** Name of the regex pattern set (unique per region and account), e.g. `rampart-prod-origin-verify`. */
  readonly patternSetName: string;
  /**
   * Regions the secret is replicated to (Secrets Manager replicas, each with a key there): a standby
   * API there seeds its pattern set from the replica.
   * @default - no replica
   */
  readonly replicaRegions?: ReplicaRegion[];
  /**
   * A secret owned elsewhere, e.g. the replica of the primary's secret in drRegion: this construct
   * then only seeds the pattern set from it and must not rotate it (the primary's rotation does).
   * @default - a new secret
   */
  readonly existingSecret?: ISecret;
}

/** What the rotation function updates besides the secret. */
export interface OriginVerifyRotationTargets {
  /** The rotation function (createSecret/setSecret/testSecret/finishSecret). */
  readonly rotationFunction: LambdaFunction;
  /** Days between rotations (at most 30). */
  readonly rotationDays: number;
  /** ARN of the distribution whose origin custom header carries the value. */
  readonly distributionArn: string;
  /** Id of that distribution. */
  readonly distributionId: string;
  /**
   * The standby's pattern set in drRegion (same name there, its id looked up by name): kept
   * accepting the same values, so a failover finds the value CloudFront sends accepted.
   * @default - no standby pattern set
   */
  readonly standbyPatternSet?: { readonly region: string; readonly name: string };
}

/**
 * The origin-verify value: a Secrets Manager secret (letters and digits) plus the REGIONAL regex
 * pattern set the API's web ACL accepts values from. CloudFormation seeds both with the current
 * value; from then on the rotation function owns them: during a rotation the set holds the current
 * and the pending value, after it the new current and the previous one, so no request CloudFront
 * sends while its configuration propagates is refused.
 */
export class OriginVerifySecret extends Construct {
  public readonly secret: ISecret;
  public readonly patternSet: CfnRegexPatternSet;
  public rotationSchedule?: RotationSchedule;
  private readonly patternSetName: string;
  private readonly owned: boolean;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps) {
    super(scope, id);
    this.patternSetName = props.patternSetName;
    this.secret =
      props.existingSecret ??
      new Secret(this, 'Secret', {
        description: 'Value of the x-origin-verify header CloudFront sends and the regional web ACL requires',
        encryptionKey: props.encryptionKey,
        generateSecretString: {
          passwordLength: ORIGIN_VERIFY_LENGTH,
          excludePunctuation: true,
          includeSpace: false,
        },
        replicaRegions: props.replicaRegions,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.owned = props.existingSecret === undefined;
    this.patternSet = new CfnRegexPatternSet(this, 'AcceptedValues', {
      name: props.patternSetName,
      scope: 'REGIONAL',
      description: 'Accepted x-origin-verify values, maintained by the rotation function',
      regularExpressionList: [this.currentValue()],
    });
  }

  /** The current value as a CloudFormation dynamic reference (resolved at deploy, never in the template). */
  public currentValue(): string {
    return this.secret.secretValue.unsafeUnwrap();
  }

  /** Rotates the value on a schedule with `targets.rotationFunction`, with exactly the grants it needs. */
  public rotateWith(targets: OriginVerifyRotationTargets): RotationSchedule {
    if (!this.owned) {
      throw new Error('OriginVerifySecret: an existing secret is rotated where it is owned, not here');
    }
    const fn = targets.rotationFunction;
    this.rotationSchedule = this.secret.addRotationSchedule('Rotation', {
      rotationLambda: fn,
      automaticallyAfter: Duration.days(targets.rotationDays),
      // A deploy must not rotate: rotation is the schedule's job (or a manual RotateSecret).
      rotateImmediatelyOnUpdate: false,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['wafv2:GetRegexPatternSet', 'wafv2:UpdateRegexPatternSet'],
        resources: [this.patternSet.attrArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'cloudfront:GetDistribution',
          'cloudfront:GetDistributionConfig',
          'cloudfront:UpdateDistribution',
        ],
        resources: [targets.distributionArn],
      }),
    );
    const standby = targets.standbyPatternSet;
    const stack = Stack.of(this);
    if (standby) {
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'StandbyPatternSet',
          actions: ['wafv2:GetRegexPatternSet', 'wafv2:UpdateRegexPatternSet'],
          resources: [
            stack.formatArn({
              service: 'wafv2',
              region: standby.region,
              resource: 'regional',
              resourceName: `regexpatternset/${standby.name}/*`,
            }),
          ],
        }),
      );
      // Finds the standby set's id by its name (the standby stack is deployed after this one).
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'StandbyPatternSetLookup',
          actions: ['wafv2:ListRegexPatternSets'],
          resources: ['*'],
        }),
      );
      fn.addEnvironment('WAF_STANDBY_PATTERN_SET', JSON.stringify(standby));
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${stack.partition}:wafv2:${standby.region}:${stack.account}:regional/regexpatternset/${standby.name}/*]`,
        reason:
          'The standby pattern set lives in drRegion and is created after this stack, so its id is not known here; the statement names it by its fixed name.',
      });
    }
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:GetRandomPassword (added by addRotationSchedule) generates a value and acts on no resource, and wafv2:ListRegexPatternSets (standby set lookup by name) supports no resource-level permission, so neither can be scoped; every other action names the secret, a pattern set or the distribution.',
    });
    fn.addEnvironment('ORIGIN_VERIFY_HEADER', ORIGIN_VERIFY_HEADER);
    fn.addEnvironment('WAF_PATTERN_SET_NAME', this.patternSetName);
    fn.addEnvironment('WAF_PATTERN_SET_ID', this.patternSet.attrId);
    fn.addEnvironment('WAF_SCOPE', 'REGIONAL');
    fn.addEnvironment('DISTRIBUTION_ID', targets.distributionId);
    return this.rotationSchedule;
  }
}
