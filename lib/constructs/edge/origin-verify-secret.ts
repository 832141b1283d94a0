import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnRegexPatternSet } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Header CloudFront adds to every origin request; the regional web ACL refuses requests without it. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Length of a generated value: letters and digits only, so it is also a literal regular expression. */
export const ORIGIN_VERIFY_LENGTH = 64;

export interface OriginVerifySecretProps {
  /** Key encrypting the secret. */
  readonly encryptionKey: IKey;
  /** Name of the regex pattern set (unique per region and account), e.g. `rampart-prod-origin-verify`. */
  readonly patternSetName: string;
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
}

/**
 * The origin-verify value: a Secrets Manager secret (letters and digits) plus the REGIONAL regex
 * pattern set the API's web ACL accepts values from. CloudFormation seeds both with the current
 * value; from then on the rotation function owns them: during a rotation the set holds the current
 * and the pending value, after it the new current and the previous one, so no request CloudFront
 * sends while its configuration propagates is refused.
 */
export class OriginVerifySecret extends Construct {
  public readonly secret: Secret;
  public readonly patternSet: CfnRegexPatternSet;
  public rotationSchedule?: RotationSchedule;
  private readonly patternSetName: string;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps) {
    super(scope, id);
    this.patternSetName = props.patternSetName;
    this.secret = new Secret(this, 'Secret', {
      description: 'Value of the x-origin-verify header CloudFront sends and the regional web ACL requires',
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        passwordLength: ORIGIN_VERIFY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
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
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:GetRandomPassword (added by addRotationSchedule) generates a value and acts on no resource, so it cannot be scoped; every other action names the secret, the pattern set or the distribution.',
    });
    fn.addEnvironment('ORIGIN_VERIFY_HEADER', ORIGIN_VERIFY_HEADER);
    fn.addEnvironment('WAF_PATTERN_SET_NAME', this.patternSetName);
    fn.addEnvironment('WAF_PATTERN_SET_ID', this.patternSet.attrId);
    fn.addEnvironment('WAF_SCOPE', 'REGIONAL');
    fn.addEnvironment('DISTRIBUTION_ID', targets.distributionId);
    return this.rotationSchedule;
  }
}
