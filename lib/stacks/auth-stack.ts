import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { UserDirectory } from '../constructs/identity/user-directory';
import { RampartStack, type RampartStackProps } from './rampart-stack';

export interface AuthStackProps extends RampartStackProps {
  /**
   * The standby's user pool in drRegion (`regionOverride`): its own hosted-UI domain prefix
   * (`<prefix>-standby`), its own clients and client secrets (rotated there by the standby API).
   * Users reach it through the identity backup's import (docs/dr.md).
   * @default false
   */
  readonly standby?: boolean;
}

/** Identity: the Cognito user pool, role groups, scopes and app clients. */
export class AuthStack extends RampartStack {
  public readonly directory: UserDirectory;

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);
    const { auth } = props.config;
    // Deletion protection and RETAIN outside dev: staging refuses a pool replacement exactly as prod
    // does, so a change that would replace the pool (and lose every user) fails there first.
    const retain = props.config.name !== 'dev';
    const secretKey = new Key(this, 'AuthKey', {
      enableKeyRotation: true,
      description: `Rampart ${props.config.name}: encrypts identity secrets`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.directory = new UserDirectory(this, 'Directory', {
      mfa: auth.mfa,
      accessTokenValidity: Duration.minutes(auth.accessTokenMinutes),
      refreshTokenValidity: Duration.days(auth.refreshTokenDays),
      refreshTokenRotationGracePeriod: Duration.seconds(auth.refreshTokenRotationGraceSeconds),
      plusFeatures: auth.plusFeatures,
      domainPrefix: props.standby ? `${auth.domainPrefix}-standby` : auth.domainPrefix,
      retain,
      secretKey,
      email: auth.email,
      threatProtection: auth.threatProtection,
    });
  }
}
