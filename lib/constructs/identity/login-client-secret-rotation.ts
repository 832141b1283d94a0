import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RotationSchedule, Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Where the rotation's procedure and its failure handling are written down. */
export const LOGIN_CLIENT_ROTATION_RUNBOOK = 'runbooks/rotation/cognito-client-secret.md';

/** The Cognito actions of the rotation function, all on the user pool (IAM has no client-level resource). */
export const CLIENT_SECRET_ACTIONS = [
  'cognito-idp:AddUserPoolClientSecret',
  'cognito-idp:DeleteUserPoolClientSecret',
  'cognito-idp:ListUserPoolClientSecrets',
] as const;

export interface LoginClientSecretRotationProps {
  /** The secret the auth functions read: `{ clientId, clientSecret, clientSecretId? }`. */
  readonly secret: ISecret;
  /** The pool of the login client. */
  readonly userPool: IUserPool;
  /** The rotation function (`lambda/functions/login-client-secret-rotation`), in the caller's VPC. */
  readonly rotationFunction: LambdaFunction;
  /** Days between rotations. */
  readonly rotationDays: number;
}

/**
 * Rotates the login client's secret with Cognito's two-secret overlap: a Secrets Manager rotation
 * schedule on the secret (never on deploy) that runs `rotationFunction`, and exactly the grants it
 * needs: the secret (read, write, staging labels, its key through Secrets Manager) and Cognito's
 * client secret actions on the pool.
 *
 * Lives where the function is (the Api stack): the secret and the pool stay in the Auth stack, which
 * must not depend on the Api stack, so the schedule references the secret, not the reverse.
 */
export class LoginClientSecretRotation extends Construct {
  public readonly schedule: RotationSchedule;
  /** The rotated secret (the Auth stack's), for alarms on its rotation age. */
  public readonly secret: ISecret;
  public readonly rotationFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: LoginClientSecretRotationProps) {
    super(scope, id);
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < 1) {
      throw new Error(`LoginClientSecretRotation ${id}: rotationDays must be a whole number of days >= 1`);
    }
    this.secret = props.secret;
    this.rotationFunction = props.rotationFunction;
    const { secretFullArn, encryptionKey } = props.secret;
    if (secretFullArn === undefined) {
      throw new Error(
        `LoginClientSecretRotation ${id}: the secret's full ARN must be known (pass the Secret itself)`,
      );
    }
    // Referenced by ARN: RotationSchedule's grants then go on the function's role only. On the
    // secret and its key itself they would make the Auth stack depend on this one (a cycle).
    const secret = Secret.fromSecretAttributes(this, 'Secret', {
      secretCompleteArn: secretFullArn,
      ...(encryptionKey ? { encryptionKey: Key.fromKeyArn(this, 'SecretKey', encryptionKey.keyArn) } : {}),
    });
    this.schedule = new RotationSchedule(this, 'Schedule', {
      secret,
      rotationLambda: props.rotationFunction,
      automaticallyAfter: Duration.days(props.rotationDays),
      // A deploy must not rotate: rotation is the schedule's job (or a manual RotateSecret).
      rotateImmediatelyOnUpdate: false,
    });
    if (encryptionKey) {
      // What RotationSchedule would grant on the key itself: reading the versions and writing the
      // pending one, only through Secrets Manager.
      props.rotationFunction.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
    props.userPool.grant(props.rotationFunction, ...CLIENT_SECRET_ACTIONS);
    props.rotationFunction.addEnvironment('USER_POOL_ID', props.userPool.userPoolId);
    const role = props.rotationFunction.role;
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'secretsmanager:GetRandomPassword (added by RotationSchedule, unused: Cognito generates the new secret) and the X-Ray actions of active tracing accept no resource ARN; every other action names the login client secret, its key or the user pool.',
      });
    }
  }
}
