import { Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolDomain,
  UserPoolEmail,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROLES, SCOPES } from '../../../lambda/shared/access';
import type { AuthEmailConfig, ThreatProtectionConfig } from '../../config';

export interface UserDirectoryProps {
  /** `optional` lets users turn TOTP on; `required` forces it at first sign-in. */
  readonly mfa: 'optional' | 'required';
  /** Lifetime of access and ID tokens. */
  readonly accessTokenValidity: Duration;
  /** Lifetime of refresh tokens. */
  readonly refreshTokenValidity: Duration;
  /** How long a rotated refresh token stays usable for client retries (refresh token rotation is on). */
  readonly refreshTokenRotationGracePeriod: Duration;
  /** Cognito Plus with threat protection enforced; paid per active user. */
  readonly plusFeatures: boolean;
  /** Domain prefix for the hosted `/oauth2/token` endpoint used by machine clients. */
  readonly domainPrefix: string;
  /** Deletion protection and RETAIN on the pool (prod). */
  readonly retain: boolean;
  /** Key that encrypts the login client's secret in Secrets Manager. */
  readonly secretKey: IKey;
  /**
   * Send the pool's mail through this SES identity (DEVELOPER mode) with a configuration set this
   * construct creates.
   * @default - Cognito's built-in sender (about 50 mails a day per account)
   */
  readonly email?: AuthEmailConfig;
  /**
   * The explicit risk configuration: what threat protection does per account-takeover risk level
   * and with compromised credentials. Needs `plusFeatures`; `notify` needs `email`.
   * @default - no risk configuration
   */
  readonly threatProtection?: ThreatProtectionConfig;
}

/** The CloudWatch dimension the configuration set publishes its events under (the set's name). */
export const MAIL_EVENTS_DIMENSION = 'ses:configuration-set';

/** Where a risk response applies: every app client of the pool. */
const ALL_CLIENTS = 'ALL';

/** Construct id of CDK's AwsCustomResource provider function (fixed by aws-cdk-lib). */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The name of the resource server whose scopes machine clients and API keys carry. */
export const RESOURCE_SERVER_ID = 'rampart';

/**
 * The Cognito side of identity: a user pool (email sign-in, 12+ character passwords, TOTP MFA,
 * no user-existence leaks, email-only recovery), one group per role, a resource server with the
 * API's scopes, a login client for the API's own auth routes (secret in Secrets Manager) and a
 * machine client for the client-credentials grant.
 */
export class UserDirectory extends Construct {
  public readonly userPool: UserPool;
  public readonly loginClient: UserPoolClient;
  public readonly machineClient: UserPoolClient;
  public readonly loginClientSecret: Secret;
  public readonly domain: UserPoolDomain;
  public readonly groups: Record<string, CfnUserPoolGroup> = {};
  /** The SES configuration set of the pool's mail, when it sends through SES. */
  public readonly mailConfigurationSet?: ConfigurationSet;
  /** The risk configuration, when threat protection has one. */
  public readonly riskConfiguration?: CfnUserPoolRiskConfigurationAttachment;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    if (props.threatProtection && !props.plusFeatures) {
      throw new Error(`UserDirectory ${id}: threatProtection needs plusFeatures (threat protection)`);
    }
    const notifies = Object.values(props.threatProtection?.accountTakeover ?? {}).some(
      (level) => level.notify,
    );
    if (notifies && !props.email) {
      throw new Error(`UserDirectory ${id}: a notify action needs email (risk notifications go through SES)`);
    }
    if (props.email) this.mailConfigurationSet = this.mailEvents(props.email);
    this.userPool = new UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      selfSignUpEnabled: false,
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: props.mfa === 'required' ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      ...(props.email && this.mailConfigurationSet
        ? {
            email: UserPoolEmail.withSES({
              fromEmail: props.email.fromAddress,
              fromName: props.email.fromName,
              replyTo: props.email.replyToAddress,
              configurationSetName: this.mailConfigurationSet.configurationSetName,
              // SourceArn: formatArn of the identity, a domain or the address itself.
              ...(props.email.sesIdentity.includes('@')
                ? {}
                : { sesVerifiedDomain: props.email.sesIdentity }),
            }),
          }
        : {}),
      featurePlan: props.plusFeatures ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(props.plusFeatures
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    ROLES.forEach((role, index) => {
      this.groups[role] = new CfnUserPoolGroup(this, `${role[0].toUpperCase()}${role.slice(1)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Rampart role "${role}"`,
        precedence: index,
      });
    });

    const resourceServer = new UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: RESOURCE_SERVER_ID,
      scopes: SCOPES.map(
        (scope) =>
          new ResourceServerScope({
            scopeName: scope.split('/')[1],
            scopeDescription: `Rampart scope ${scope}`,
          }),
      ),
    });

    const tokenLifetimes = {
      accessTokenValidity: props.accessTokenValidity,
      idTokenValidity: props.accessTokenValidity,
      refreshTokenValidity: props.refreshTokenValidity,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    };

    this.loginClient = this.userPool.addClient('LoginClient', {
      ...tokenLifetimes,
      generateSecret: true,
      authFlows: { userPassword: true },
      // Lets the auth functions pass the end user's IP address (UserContextData) to threat protection.
      enablePropagateAdditionalUserContextData: true,
      refreshTokenRotationGracePeriod: props.refreshTokenRotationGracePeriod,
      disableOAuth: true,
    });

    this.machineClient = this.userPool.addClient('MachineClient', {
      ...tokenLifetimes,
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: SCOPES.map((scope) =>
          OAuthScope.resourceServer(
            resourceServer,
            new ResourceServerScope({ scopeName: scope.split('/')[1], scopeDescription: scope }),
          ),
        ),
      },
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    // `{ clientId, clientSecret }`; from the first rotation on also `clientSecretId` (Cognito's id of it).
    this.loginClientSecret = new Secret(this, 'LoginClientSecret', {
      description: 'Client id and secret of the Cognito client behind /api/v1/auth/* (SECRET_HASH)',
      encryptionKey: props.secretKey,
      secretObjectValue: {
        clientId: SecretValue.unsafePlainText(this.loginClient.userPoolClientId),
        clientSecret: this.loginClient.userPoolClientSecret,
      },
    });

    if (props.threatProtection) {
      this.riskConfiguration = this.riskResponses(props.threatProtection, props.email);
    }

    this.acknowledgeFindings(props);
  }

  /** ARN of an SES identity in this stack's account and region, as Cognito wants it for `SourceArn`. */
  public sesIdentityArn(identity: string): string {
    return Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
  }

  /**
   * The configuration set of the pool's mail: TLS required, bounces and complaints go on the
   * account's suppression list, reputation metrics on, and send/delivery/bounce/complaint/reject
   * counts published to CloudWatch under `ses:configuration-set = <name>` for the runbooks.
   */
  private mailEvents(email: AuthEmailConfig): ConfigurationSet {
    const set = new ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName: email.configurationSet,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    set.addEventDestination('CloudWatch', {
      destination: EventDestination.cloudWatchDimensions([
        {
          name: MAIL_EVENTS_DIMENSION,
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: email.configurationSet,
        },
      ]),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
      ],
    });
    return set;
  }

  /**
   * The pool's risk configuration (every app client): account-takeover responses per risk level,
   * with notifications sent from the pool's SES identity, and compromised-credentials blocking on
   * sign-in, sign-up and password change.
   */
  private riskResponses(
    threat: ThreatProtectionConfig,
    email: AuthEmailConfig | undefined,
  ): CfnUserPoolRiskConfigurationAttachment {
    const response = (level: keyof ThreatProtectionConfig['accountTakeover']) => ({
      eventAction: threat.accountTakeover[level].action,
      notify: threat.accountTakeover[level].notify,
    });
    const from = email?.fromName ? `${email.fromName} <${email.fromAddress}>` : email?.fromAddress;
    return new CfnUserPoolRiskConfigurationAttachment(this, 'RiskConfiguration', {
      userPoolId: this.userPool.userPoolId,
      clientId: ALL_CLIENTS,
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: response('low'),
          mediumAction: response('medium'),
          highAction: response('high'),
        },
        ...(email
          ? {
              notifyConfiguration: {
                sourceArn: this.sesIdentityArn(email.sesIdentity),
                from,
                ...(email.replyToAddress ? { replyTo: email.replyToAddress } : {}),
              },
            }
          : {}),
      },
      compromisedCredentialsRiskConfiguration: {
        actions: { eventAction: threat.compromisedCredentials },
        eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
    });
  }

  /**
   * Reading the generated client secret (for Secrets Manager) goes through CDK's AwsCustomResource:
   * a stack-wide singleton function that runs once per deploy, calls only
   * cognito-idp:DescribeUserPoolClient on this pool and never sees traffic.
   */
  private acknowledgeClientSecretReader(): void {
    const stack = Stack.of(this);
    const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
    const policy = this.loginClient.node
      .tryFindChild('DescribeCognitoUserPoolClient')
      ?.node.tryFindChild('CustomResourcePolicy');
    if (!provider || !policy) {
      throw new Error('UserDirectory: the client secret reader moved; update its acknowledgements');
    }
    const reason =
      'CDK AwsCustomResource singleton that reads the Cognito client secret at deploy time (DescribeUserPoolClient on this pool only); it takes no traffic, holds no data and needs no VPC, DLQ or reserved concurrency.';
    Validations.of(policy).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason });
    for (const id of [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'NIST.800.53.R5-LambdaConcurrency',
      'NIST.800.53.R5-LambdaDLQ',
      'NIST.800.53.R5-LambdaInsideVPC',
      'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
    ]) {
      Validations.of(provider).acknowledge({ id, reason });
    }
  }

  private acknowledgeFindings(props: UserDirectoryProps): void {
    if (props.mfa === 'optional') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional in this environment by config (users may enrol TOTP); prod requires it. Admins are refused at login until they enrol TOTP.',
      });
    }
    if (!props.plusFeatures) {
      for (const id of ['AwsSolutions-COG3', 'AwsSolutions-COG8']) {
        Validations.of(this.userPool).acknowledge({
          id,
          reason:
            'Threat protection needs the Cognito Plus plan, billed per monthly active user; it is opt-in by config (on in prod).',
        });
      }
    }
    this.acknowledgeClientSecretReader();
    // The rotation schedule exists, but in the Api stack (next to its VPC function; this stack must
    // not depend on that one), and these rules only look for a schedule in the secret's own stack.
    const rotated =
      "Rotated on a schedule (auth.clientSecretRotationDays) by the LoginClientSecretRotationSchedule in the Api stack, with Cognito's two-secret overlap (AddUserPoolClientSecret / DeleteUserPoolClientSecret); cdk-nag only sees rotation schedules in the secret's own stack. Procedure and failures: runbooks/rotation/cognito-client-secret.md.";
    for (const id of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled']) {
      Validations.of(this.loginClientSecret).acknowledge({ id, reason: rotated });
    }
  }
}
