import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES } from '../../../lib/config';
import { synthEnvironments } from '../../support/synth';

const environments = synthEnvironments();

describe.each(ENVIRONMENT_NAMES)('Auth stack (%s)', (name) => {
  const { config, template: templateOf } = environments[name];
  const template = templateOf('auth');

  test('user pool: email sign-in, strong passwords, TOTP, email-only recovery, no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
          PasswordHistorySize: 5,
        },
      },
      MfaConfiguration: config.auth.mfa === 'required' ? 'ON' : 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  test('deletion protection and retention in staging and prod, as prod', () => {
    const kept = name !== 'dev';
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: kept ? 'ACTIVE' : 'INACTIVE' }),
      DeletionPolicy: kept ? 'Retain' : 'Delete',
      UpdateReplacePolicy: kept ? 'Retain' : 'Delete',
    });
  });

  test('Plus plan with threat protection only where config opts in', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: config.auth.plusFeatures ? 'PLUS' : 'ESSENTIALS',
      UserPoolAddOns: config.auth.plusFeatures ? { AdvancedSecurityMode: 'ENFORCED' } : Match.absent(),
    });
  });

  test('groups admin, editor and viewer are the roles', () => {
    for (const [precedence, role] of ['admin', 'editor', 'viewer'].entries()) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: role,
        Precedence: precedence,
      });
    }
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
  });

  test('the resource server carries the API scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'rampart',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Rampart scope rampart/read' },
        { ScopeName: 'write', ScopeDescription: 'Rampart scope rampart/write' },
        { ScopeName: 'admin', ScopeDescription: 'Rampart scope rampart/admin' },
      ],
    });
  });

  test('login client: secret, USER_PASSWORD_AUTH, short tokens, revocation, rotation, no existence leaks', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      AccessTokenValidity: config.auth.accessTokenMinutes,
      IdTokenValidity: config.auth.accessTokenMinutes,
      RefreshTokenValidity: config.auth.refreshTokenDays * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      RefreshTokenRotation: {
        Feature: 'ENABLED',
        RetryGracePeriodSeconds: config.auth.refreshTokenRotationGraceSeconds,
      },
      AllowedOAuthFlowsUserPoolClient: false,
      // The auth functions pass the end user's IP address (UserContextData); without this Cognito ignores it.
      EnablePropagateAdditionalUserContextData: true,
    });
  });

  test('machine client: client credentials with the resource server scopes only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['read', 'write', 'admin'].map((scope) => ({
        'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^DirectoryResourceServer') }, `/${scope}`]],
      })),
      AccessTokenValidity: config.auth.accessTokenMinutes,
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: config.auth.domainPrefix });
  });

  test('the login client secret lives in Secrets Manager under a customer-managed key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthKey'), 'Arn'] },
      SecretString: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('mail: staging and prod send through their SES identity with a configuration set, dev through Cognito', () => {
    const { email } = config.auth;
    if (name === 'dev') {
      expect(email).toBeUndefined();
      template.hasResourceProperties('AWS::Cognito::UserPool', { EmailConfiguration: Match.absent() });
      template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
      return;
    }
    expect(email).toBeDefined();
    const [setId] = Object.keys(template.findResources('AWS::SES::ConfigurationSet'));
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        // formatArn of the identity: this account and region.
        SourceArn: `arn:aws:ses:${config.region}:${config.account}:identity/${email!.sesIdentity}`,
        From: `${email!.fromName} <${email!.fromAddress}>`,
        ConfigurationSet: { Ref: setId },
      },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: email!.configurationSet,
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: setId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            {
              DimensionName: 'ses:configuration-set',
              DimensionValueSource: 'messageTag',
              DefaultDimensionValue: email!.configurationSet,
            },
          ],
        },
      },
    });
  });

  test('threat protection: an explicit risk configuration for every client in staging and prod, none in dev', () => {
    const risk = config.auth.threatProtection;
    if (name === 'dev') {
      expect(risk).toBeUndefined();
      template.resourceCountIs('AWS::Cognito::UserPoolRiskConfigurationAttachment', 0);
      return;
    }
    const email = config.auth.email!;
    const [poolId] = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    template.resourceCountIs('AWS::Cognito::UserPoolRiskConfigurationAttachment', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      UserPoolId: { Ref: poolId },
      ClientId: 'ALL',
      AccountTakeoverRiskConfiguration: {
        Actions: {
          LowAction: { EventAction: 'NO_ACTION', Notify: false },
          MediumAction: { EventAction: 'MFA_REQUIRED', Notify: true },
          HighAction: { EventAction: 'BLOCK', Notify: true },
        },
        NotifyConfiguration: {
          SourceArn: `arn:aws:ses:${config.region}:${config.account}:identity/${email.sesIdentity}`,
          From: `${email.fromName} <${email.fromAddress}>`,
        },
      },
      CompromisedCredentialsRiskConfiguration: {
        Actions: { EventAction: 'BLOCK' },
        EventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
      RiskExceptionConfiguration: Match.absent(),
    });
    // The values come from config, not from the construct's defaults.
    expect(risk).toEqual({
      accountTakeover: {
        low: { action: 'NO_ACTION', notify: false },
        medium: { action: 'MFA_REQUIRED', notify: true },
        high: { action: 'BLOCK', notify: true },
      },
      compromisedCredentials: 'BLOCK',
    });
  });
});
