import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { dev } from '../../../lib/config/dev';
import { prod } from '../../../lib/config/prod';
import {
  capacityPlan,
  ENVIRONMENT_NAMES,
  maxConnectionsOf,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  proxyConnectionBudget,
} from '../../../lib/config';
import { addEnvironment } from '../../../lib/rampart-app';
import { synthEnvironments, testApp } from '../../support/synth';

const environments = synthEnvironments();

/** Logical ids of every stateful resource: changing one means CloudFormation replaces it. */
const PINNED_DATA_IDS = {
  KeyE447D366: 'AWS::KMS::Key',
  DatabaseInstanceAA8A5FDE: 'AWS::RDS::DBInstance',
  DatabaseInstanceSubnetGroupDE121BB6: 'AWS::RDS::DBSubnetGroup',
  DatabaseParametersB8AC9B07: 'AWS::RDS::DBParameterGroup',
  DatabaseAdminSecret9BA08F45: 'AWS::SecretsManager::Secret',
  DatabaseAdminSecretAttachment436AF950: 'AWS::SecretsManager::SecretTargetAttachment',
  DatabaseProxyE01FC4E6: 'AWS::RDS::DBProxy',
  DatabaseProxyProxyTargetGroupCFEDF3AA: 'AWS::RDS::DBProxyTargetGroup',
  DatabaseDatabaseSecurityGroupDBE5AB2F: 'AWS::EC2::SecurityGroup',
  BackupVaultADF21B19: 'AWS::Backup::BackupVault',
  BackupPlan14914BEB: 'AWS::Backup::BackupPlan',
} as const;
const PINNED_DR_IDS = {
  KeyE447D366: 'AWS::KMS::Key',
  Vault23237E5B: 'AWS::Backup::BackupVault',
} as const;

const DELETION = { destroy: 'Delete', snapshot: 'Snapshot', retain: 'Retain' } as const;

function resourcesOfType(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

function idOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe.each(ENVIRONMENT_NAMES)('Data stack (%s)', (name) => {
  const { config, stacks, template: templateOf } = environments[name];
  const template = templateOf('data');
  const { database, backup } = config;
  const keyArn = { 'Fn::GetAtt': ['KeyE447D366', 'Arn'] };
  const sg = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });

  test('is named Rampart-<env>-Data in the environment region, after the Network stack', () => {
    expect(stacks.data.stackName).toBe(`Rampart-${name}-Data`);
    expect(stacks.data.region).toBe(config.region);
    expect(stacks.data.terminationProtection).toBe(name !== 'dev');
    expect(stacks.data.dependencies).toContain(stacks.network);
  });

  test("one customer-managed key with rotation; CloudWatch Logs of the region may use it for this account's log groups", () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        PendingWindowInDays: 30,
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowCloudWatchLogsOfThisAccount',
              Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
              Effect: 'Allow',
              Principal: { Service: `logs.${config.region}.amazonaws.com` },
              Resource: '*',
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${config.region}:${config.account}:log-group:*`,
                },
              },
            },
          ]),
        },
      },
      DeletionPolicy: name === 'dev' ? 'Delete' : 'Retain',
    });
  });

  test('PostgreSQL: pinned engine, gp3 encrypted with the key, IAM auth, sized and protected per config', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: {
        Engine: 'postgres',
        EngineVersion: '18.3',
        AutoMinorVersionUpgrade: name !== 'prod',
        AllowMajorVersionUpgrade: false,
        DBInstanceClass: database.instanceClass,
        DBName: 'rampart',
        Port: '5432',
        StorageType: 'gp3',
        AllocatedStorage: String(database.allocatedStorageGiB),
        MaxAllocatedStorage: database.maxAllocatedStorageGiB,
        StorageEncrypted: true,
        KmsKeyId: keyArn,
        EnableIAMDatabaseAuthentication: true,
        PubliclyAccessible: false,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        MultiAZ: database.multiAz,
        BackupRetentionPeriod: database.backupRetentionDays,
        DeletionProtection: database.deletionProtection,
        DeleteAutomatedBackups: database.deleteAutomatedBackups,
        CopyTagsToSnapshot: true,
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: keyArn,
        PerformanceInsightsRetentionPeriod: database.performanceInsightsRetentionDays,
        MonitoringInterval: database.monitoringIntervalSeconds,
        DBParameterGroupName: { Ref: 'DatabaseParametersB8AC9B07' },
        VPCSecurityGroups: [sg('DatabaseDatabaseSecurityGroupDBE5AB2F')],
      },
      DeletionPolicy: DELETION[database.removalPolicy],
      UpdateReplacePolicy: DELETION[database.removalPolicy],
    });
  });

  test('the instance lives in the isolated Data subnets', () => {
    const [group] = Object.values(resourcesOfType(template, 'AWS::RDS::DBSubnetGroup'));
    const subnetIds = JSON.stringify(group.Properties.SubnetIds);
    expect(subnetIds.match(/NetworkVpcDataSubnet\d/g)).toHaveLength(config.network.availabilityZones.length);
    expect(subnetIds).not.toMatch(/FunctionsSubnet|PublicSubnet/);
  });

  test('staging and prod per issue: Multi-AZ, deletion protection, automated backups kept and replicated to the DR region', () => {
    const instance = Object.values(resourcesOfType(template, 'AWS::RDS::DBInstance'))[0];
    if (name === 'dev') {
      expect(instance.Properties).toMatchObject({
        MultiAZ: false,
        DeletionProtection: false,
        DeleteAutomatedBackups: true,
      });
      expect(instance.Properties.AutomaticBackupReplicationRegion).toBeUndefined();
      expect(instance).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    } else {
      expect(instance.Properties).toMatchObject({
        MultiAZ: true,
        DeletionProtection: true,
        DeleteAutomatedBackups: false,
        AutomaticBackupReplicationRegion: 'eu-west-2',
        // The DR key by KEY ARN (its Arn attribute, read from drRegion), never an alias ARN.
        AutomaticBackupReplicationKmsKeyId: {
          'Fn::GetStackOutput': {
            StackName: `Rampart-${name}-DataDr`,
            Region: 'eu-west-2',
            OutputName: expect.stringMatching(/^PublishOutputFnGetAttKey[0-9A-F]{8}Arn/),
          },
        },
        // Explicitly the primary's window (RDS keeps replicated backups 7 days otherwise).
        AutomaticBackupReplicationRetentionPeriod: config.database.backupRetentionDays,
      });
      // Staging snapshots a removed instance instead of keeping it running (docs/environments.md).
      const policy = name === 'prod' ? 'Retain' : 'Snapshot';
      expect(instance).toMatchObject({ DeletionPolicy: policy, UpdateReplacePolicy: policy });
    }
    expect(instance.Properties.BackupRetentionPeriod).toBe({ dev: 7, staging: 14, prod: 35 }[name]);
  });

  test('parameter group: TLS forced, slow query log, pg_stat_statements', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: String(database.slowQueryThresholdMs),
        shared_preload_libraries: 'pg_stat_statements',
        log_connections: '1',
        log_disconnections: '1',
      },
    });
  });

  test('exported PostgreSQL logs have the configured retention', () => {
    for (const log of ['postgresql', 'upgrade']) {
      template.hasResourceProperties('Custom::LogRetention', {
        LogGroupName: {
          'Fn::Join': ['', ['/aws/rds/instance/', { Ref: 'DatabaseInstanceAA8A5FDE' }, `/${log}`]],
        },
        RetentionInDays: database.cloudwatchLogsRetentionDays,
      });
    }
  });

  test('admin secret: KMS-encrypted, single-user rotation every N days, never on deploy, in the VPC', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        KmsKeyId: keyArn,
        GenerateSecretString: Match.objectLike({
          SecretStringTemplate: JSON.stringify({ username: 'rampart_admin', dbname: 'rampart' }),
          GenerateStringKey: 'password',
        }),
      },
      DeletionPolicy: name === 'dev' ? 'Delete' : 'Retain',
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: 'DatabaseAdminSecretAttachment436AF950' },
      RotateImmediatelyOnUpdate: false,
      RotationRules: { ScheduleExpression: `rate(${database.secretRotationDays} days)` },
    });
    expect(database.secretRotationDays).toBeLessThanOrEqual(30);
    template.hasResourceProperties('AWS::Serverless::Application', {
      Location: {
        ApplicationId: Match.anyValue(),
        SemanticVersion: Match.anyValue(),
      },
      Parameters: Match.objectLike({
        vpcSecurityGroupIds: sg('DatabaseRotationSecurityGroup8E1B7C66'),
        endpoint: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['https://'])] }),
      }),
    });
    // Single user, not alternating users: the SAR application is the PostgreSQL single-user one.
    const mapping = JSON.stringify(template.toJSON().Mappings);
    expect(mapping).toMatch(/SecretsManagerRDSPostgreSQLRotationSingleUser/);
    expect(mapping).not.toMatch(/MultiUser/);
  });

  test('the rotation function runs in the Functions subnets and talks to the instance endpoint, not the proxy', () => {
    const [app] = Object.values(resourcesOfType(template, 'AWS::Serverless::Application'));
    const parameters = JSON.stringify(app.Properties.Parameters);
    expect(parameters.match(/NetworkVpcFunctionsSubnet\d/g)).toHaveLength(
      config.network.availabilityZones.length,
    );
    // Host and port of the secret come from the attachment to the instance.
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      TargetType: 'AWS::RDS::DBInstance',
      TargetId: { Ref: 'DatabaseInstanceAA8A5FDE' },
    });
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 1);
  });

  test('RDS Proxy: TLS, end-to-end IAM auth, no secret, debug logging off', () => {
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
      DebugLogging: false,
      IdleClientTimeout: database.proxy.idleClientTimeoutSeconds,
      Auth: Match.absent(),
      VpcSecurityGroupIds: [sg('DatabaseProxySecurityGroupCCC9DB86')],
    });
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      DBInstanceIdentifiers: [{ Ref: 'DatabaseInstanceAA8A5FDE' }],
      ConnectionPoolConfigurationInfo: {
        ConnectionBorrowTimeout: database.proxy.borrowTimeoutSeconds,
        MaxConnectionsPercent: database.proxy.maxConnectionsPercent,
        MaxIdleConnectionsPercent: database.proxy.maxIdleConnectionsPercent,
      },
    });
    expect(database.proxy.borrowTimeoutSeconds).toBeLessThanOrEqual(10);
    expect(database.proxy.maxConnectionsPercent).toBeLessThanOrEqual(80);
  });

  test('the proxy role may connect to the instance as rampart_app and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: 'DatabaseProxyRoleCFE74A02' }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  `arn:aws:rds-db:${config.region}:${config.account}:dbuser:`,
                  { 'Fn::GetAtt': ['DatabaseInstanceAA8A5FDE', 'DbiResourceId'] },
                  '/rampart_app',
                ],
              ],
            },
          },
        ],
      },
    });
  });

  test('security groups: clients -> proxy, proxy/rotation/migrations -> database on 5432, nothing else', () => {
    const groups = resourcesOfType(template, 'AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups)) {
      // No inline ingress and no allow-all egress anywhere in the Data stack.
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      expect(JSON.stringify(group.Properties.SecurityGroupEgress ?? [])).not.toMatch(/0\.0\.0\.0\/0/);
    }
    const ingress = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')).map((r) => {
      const { GroupId, SourceSecurityGroupId, FromPort, ToPort, IpProtocol } = r.Properties;
      return { GroupId, SourceSecurityGroupId, FromPort, ToPort, IpProtocol };
    });
    const rule = (to: string, from: string) => ({
      GroupId: sg(to),
      SourceSecurityGroupId: sg(from),
      FromPort: 5432,
      ToPort: 5432,
      IpProtocol: 'tcp',
    });
    expect(ingress).toHaveLength(4);
    expect(ingress).toEqual(
      expect.arrayContaining([
        rule('DatabaseProxySecurityGroupCCC9DB86', 'DatabaseClientSecurityGroup21D2B2F3'),
        rule('DatabaseDatabaseSecurityGroupDBE5AB2F', 'DatabaseProxySecurityGroupCCC9DB86'),
        rule('DatabaseDatabaseSecurityGroupDBE5AB2F', 'DatabaseRotationSecurityGroup8E1B7C66'),
        rule('DatabaseDatabaseSecurityGroupDBE5AB2F', 'MigrationsSecurityGroupFFB12746'),
      ]),
    );
    const egress = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')).map((r) => {
      const { GroupId, DestinationSecurityGroupId, FromPort, ToPort } = r.Properties;
      return { GroupId, DestinationSecurityGroupId, FromPort, ToPort };
    });
    const out = (from: string, to: string) => ({
      GroupId: sg(from),
      DestinationSecurityGroupId: sg(to),
      FromPort: 5432,
      ToPort: 5432,
    });
    expect(egress).toHaveLength(4);
    expect(egress).toEqual(
      expect.arrayContaining([
        out('DatabaseClientSecurityGroup21D2B2F3', 'DatabaseProxySecurityGroupCCC9DB86'),
        out('DatabaseProxySecurityGroupCCC9DB86', 'DatabaseDatabaseSecurityGroupDBE5AB2F'),
        out('DatabaseRotationSecurityGroup8E1B7C66', 'DatabaseDatabaseSecurityGroupDBE5AB2F'),
        out('MigrationsSecurityGroupFFB12746', 'DatabaseDatabaseSecurityGroupDBE5AB2F'),
      ]),
    );
    // Rotation and migrations reach Secrets Manager through its endpoint, on 443 only.
    for (const id of ['DatabaseRotationSecurityGroup8E1B7C66', 'MigrationsSecurityGroupFFB12746']) {
      expect(groups[id].Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({
          FromPort: 443,
          ToPort: 443,
          IpProtocol: 'tcp',
          DestinationSecurityGroupId: expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() }),
        }),
      ]);
    }
  });

  test('migrations run after each deploy through a trigger, after the database, as the admin over TLS', () => {
    template.hasResourceProperties('Custom::Trigger', {
      HandlerArn: { Ref: Match.stringLikeRegexp('^MigrationsFunctionCurrentVersion') },
      InvocationType: 'RequestResponse',
      ExecuteOnHandlerChange: true,
    });
    const [trigger] = Object.values(template.findResources('Custom::Trigger')) as { DependsOn: string[] }[];
    expect(trigger.DependsOn).toEqual(
      expect.arrayContaining([
        'DatabaseInstanceAA8A5FDE',
        'DatabaseAdminSecretAttachment436AF950',
        'DatabaseDatabaseSecurityGroupfromRampart' +
          `${name}DataMigrationsSecurityGroup` +
          trigger.DependsOn.find((d) => d.includes('DataMigrationsSecurityGroup'))!.split(
            'DataMigrationsSecurityGroup',
          )[1],
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      Layers: [{ Ref: Match.stringLikeRegexp('^MigrationsFiles') }],
      VpcConfig: { SecurityGroupIds: [sg('MigrationsSecurityGroupFFB12746')], SubnetIds: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          DB_SECRET_ID: { Ref: 'DatabaseAdminSecret9BA08F45' },
          MIGRATIONS_DIR: '/opt',
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^MigrationsFunctionServiceRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Effect: 'Allow',
            Resource: { Ref: 'DatabaseAdminSecret9BA08F45' },
          },
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: keyArn,
            Condition: {
              StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` },
            },
          },
        ],
      },
    });
  });

  test('AWS Backup: vault encrypted with the key; continuous (PITR), daily and monthly rules per config', () => {
    // Compliance mode in prod (immutable after 3 days), governance mode in staging (no
    // ChangeableForDays: removable with IAM permission), none in dev.
    const lock = {
      dev: undefined,
      staging: { MinRetentionDays: 7, MaxRetentionDays: 90 },
      prod: { MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3 },
    }[name];
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: { EncryptionKeyArn: keyArn, LockConfiguration: lock ?? Match.absent() },
      DeletionPolicy: name === 'dev' ? 'Delete' : 'Retain',
    });
    // Exact (a nested pattern matches partially): a governance lock has no ChangeableForDays at all.
    const vaults = Object.values(resourcesOfType(template, 'AWS::Backup::BackupVault'));
    expect(vaults.map((vault) => vault.Properties.LockConfiguration)).toEqual([lock]);
    const vault = { 'Fn::GetAtt': ['BackupVaultADF21B19', 'BackupVaultName'] };
    const drCopy = (days: number) =>
      backup.copyToDrRegion
        ? [
            {
              DestinationBackupVaultArn: `arn:aws:backup:${config.drRegion}:${config.account}:backup-vault:rampart-${name}-dr`,
              Lifecycle: { DeleteAfterDays: days },
            },
          ]
        : Match.absent();
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'Plan',
        BackupPlanRule: [
          {
            RuleName: 'Continuous',
            EnableContinuousBackup: true,
            Lifecycle: { DeleteAfterDays: database.backupRetentionDays },
            ScheduleExpression: 'cron(0 2 * * ? *)',
            TargetBackupVault: vault,
          },
          {
            RuleName: 'Daily',
            Lifecycle: { DeleteAfterDays: backup.dailyRetentionDays },
            ScheduleExpression: 'cron(0 3 * * ? *)',
            // Within the hour: the backup-missing alarm (26 h) relies on it.
            StartWindowMinutes: 60,
            TargetBackupVault: vault,
            CopyActions: drCopy(backup.drCopyRetentionDays),
          },
          ...(backup.monthlyRetentionDays
            ? [
                {
                  RuleName: 'Monthly',
                  Lifecycle: { DeleteAfterDays: backup.monthlyRetentionDays },
                  ScheduleExpression: 'cron(0 4 1 * ? *)',
                  TargetBackupVault: vault,
                  CopyActions: drCopy(backup.monthlyRetentionDays),
                },
              ]
            : []),
        ],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: {
        IamRoleArn: { 'Fn::GetAtt': ['BackupRole4CD139C5', 'Arn'] },
        Resources: [
          {
            'Fn::Join': [
              '',
              [`arn:aws:rds:${config.region}:${config.account}:db:`, { Ref: 'DatabaseInstanceAA8A5FDE' }],
            ],
          },
        ],
        SelectionName: 'Database',
      },
    });
  });

  test('restore testing in staging and prod only: the latest snapshot and the latest continuous point, weekly', () => {
    const expected = name === 'dev' ? 0 : 2;
    template.resourceCountIs('AWS::Backup::RestoreTestingPlan', expected);
    template.resourceCountIs('AWS::Backup::RestoreTestingSelection', expected);
    if (!expected) return;
    for (const [plan, day, kind] of [
      [`rampart_${name}_weekly`, 'MON', 'SNAPSHOT'],
      [`rampart_${name}_weekly_pitr`, 'THU', 'CONTINUOUS'],
    ]) {
      template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
        RestoreTestingPlanName: plan,
        ScheduleExpression: `cron(0 6 ? * ${day} *)`,
        RecoveryPointSelection: {
          Algorithm: 'LATEST_WITHIN_WINDOW',
          IncludeVaults: [{ 'Fn::GetAtt': ['BackupVaultADF21B19', 'BackupVaultArn'] }],
          RecoveryPointTypes: [kind],
          SelectionWindowDays: 7,
        },
      });
      template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
        RestoreTestingPlanName: plan,
        ProtectedResourceType: 'RDS',
        IamRoleArn: { 'Fn::GetAtt': ['BackupRole4CD139C5', 'Arn'] },
        RestoreMetadataOverrides: {
          dbSubnetGroupName: { Ref: 'DatabaseInstanceSubnetGroupDE121BB6' },
          vpcSecurityGroupIds: {
            'Fn::Join': ['', ['["', sg('DatabaseDatabaseSecurityGroupDBE5AB2F'), '"]']],
          },
          multiAZ: 'false',
        },
        ValidationWindowHours: 2,
      });
    }
  });

  test('replacement guard: stateful resources keep their logical ids', () => {
    for (const [id, type] of Object.entries(PINNED_DATA_IDS)) {
      expect({ id, type: template.toJSON().Resources[id]?.Type }).toEqual({ id, type });
    }
    expect(idOf(template, 'AWS::RDS::DBInstance')).toBe('DatabaseInstanceAA8A5FDE');
    expect(idOf(template, 'AWS::RDS::DBProxy')).toBe('DatabaseProxyE01FC4E6');
  });
});

describe('DataDr stack', () => {
  test('exists only where backups go to the DR region (staging and prod)', () => {
    expect(environments.dev.stacks.dataDr).toBeUndefined();
    for (const name of ['staging', 'prod'] as const) {
      const dr = environments[name].stacks.dataDr!;
      expect(dr.stackName).toBe(`Rampart-${name}-DataDr`);
      expect(dr.region).toBe('eu-west-2');
      expect(dr.terminationProtection).toBe(true);
      expect(environments[name].stacks.data.dependencies).toContain(dr);
    }
  });

  test.each([
    // Prod's lock is in compliance mode: immutable 3 days after it is set.
    ['prod', { MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3 }],
    // Staging's is in governance mode: no ChangeableForDays, removable with IAM permission.
    ['staging', { MinRetentionDays: 7, MaxRetentionDays: 90 }],
  ] as const)(
    '%s: holds the named, key-encrypted, locked vault and the aliased key the Data stack refers to',
    (name, lock) => {
      const template = environments[name].template('dataDr');
      template.hasResource('AWS::Backup::BackupVault', {
        Properties: {
          BackupVaultName: `rampart-${name}-dr`,
          EncryptionKeyArn: { 'Fn::GetAtt': ['KeyE447D366', 'Arn'] },
          LockConfiguration: lock,
        },
        DeletionPolicy: 'Retain',
      });
      // Exact: a governance lock carries no ChangeableForDays at all.
      const vaults = Object.values(resourcesOfType(template, 'AWS::Backup::BackupVault'));
      expect(vaults.map((vault) => vault.Properties.LockConfiguration)).toEqual([lock]);
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/rampart-${name}-dr` });
      template.hasResource('AWS::KMS::Key', {
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
      });
      for (const [id, type] of Object.entries(PINNED_DR_IDS)) {
        expect({ id, type: template.toJSON().Resources[id]?.Type }).toEqual({ id, type });
      }
    },
  );
});

describe('backup.vaultLock.mode', () => {
  const withLock = (vaultLock: Record<string, unknown>) =>
    parseEnvironmentConfig({ ...prod, backup: { ...prod.backup, vaultLock } });

  test('compliance needs changeableForDays (at least AWS Backup’s 3-day cooling-off); governance refuses it', () => {
    expect(() => withLock({ mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 400 })).toThrow(
      /backup\.vaultLock\.changeableForDays/,
    );
    expect(() =>
      withLock({ mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 400, changeableForDays: 2 }),
    ).toThrow(/backup\.vaultLock\.changeableForDays/);
    expect(() =>
      withLock({ mode: 'governance', minRetentionDays: 7, maxRetentionDays: 400, changeableForDays: 3 }),
    ).toThrow(/backup\.vaultLock: Unrecognized key: "changeableForDays"/);
    expect(() => withLock({ minRetentionDays: 7, maxRetentionDays: 400, changeableForDays: 3 })).toThrow(
      /backup\.vaultLock\.mode/,
    );
  });

  test('the DR copies must lie within the lock too (the DR vault carries it)', () => {
    expect(() =>
      parseEnvironmentConfig({
        ...prod,
        backup: { ...prod.backup, drCopyRetentionDays: 3 },
      }),
    ).toThrow(
      /backup\.vaultLock: backup\.drCopyRetentionDays \(3\) must lie within the vault lock's 7\.\.400 days/,
    );
  });
});

describe('database.allowMajorVersionUpgrade', () => {
  test('unset, no environment lets the instance change its major; set for an upgrade deploy, it may', () => {
    for (const name of ENVIRONMENT_NAMES) {
      expect(environments[name].config.database.allowMajorVersionUpgrade).toBeUndefined();
      environments[name].template('data').hasResourceProperties('AWS::RDS::DBInstance', {
        AllowMajorVersionUpgrade: false,
      });
    }
    const app = testApp();
    const { data } = addEnvironment(
      app,
      parseEnvironmentConfig({ ...dev, database: { ...dev.database, allowMajorVersionUpgrade: true } }),
    );
    Template.fromStack(data).hasResourceProperties('AWS::RDS::DBInstance', {
      EngineVersion: '18.3',
      AllowMajorVersionUpgrade: true,
    });
  });
});

describe('grantConnect', () => {
  test('grants rds-db:connect on the proxy as rampart_app and opens the function to the proxy only', () => {
    const app = testApp();
    const { network, data } = addEnvironment(app, loadEnvironmentConfig('dev'));
    const consumer = new Stack(app, 'Consumer', { env: { account: dev.account, region: dev.region } });
    const fn = new LambdaFunction(consumer, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => 1'),
      vpc: network.network.vpc,
      vpcSubnets: network.network.functionSubnets,
      allowAllOutbound: false,
    });
    data.grantConnect(fn);
    expect(() => data.grantConnect(fn, 'rampart_admin')).toThrow(
      /rampart_admin is not reachable through the proxy/,
    );
    const template = Template.fromStack(consumer);
    const statements = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(statements).toMatch(/"Action":"rds-db:connect"/);
    expect(statements).toMatch(/:dbuser:.*\/rampart_app"/);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      IpProtocol: 'tcp',
      GroupId: {
        'Fn::GetStackOutput': Match.objectLike({
          StackName: 'Rampart-dev-Data',
          OutputName: Match.stringLikeRegexp('DatabaseProxySecurityGroup'),
        }),
      },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnSecurityGroup'), 'GroupId'] },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
  });
});

describe('config: proxy connection budget', () => {
  test('max_connections follows LEAST(memory / 9531392, 5000)', () => {
    expect(maxConnectionsOf('db.t4g.micro')).toBe(112);
    expect(maxConnectionsOf('db.r7g.large')).toBe(1802);
    expect(maxConnectionsOf('db.r7g.2xlarge')).toBe(5000);
    expect(
      proxyConnectionBudget({ instanceClass: 'db.t4g.micro', proxy: { maxConnectionsPercent: 50 } }),
    ).toBe(56);
  });

  test('every declared environment fits its budget', () => {
    for (const name of ENVIRONMENT_NAMES) {
      const { config } = environments[name];
      expect(capacityPlan(config).databaseConnections).toBeLessThanOrEqual(
        proxyConnectionBudget(config.database),
      );
    }
  });

  test('rejects the capacity model reservations x pool size above the budget, naming what to change', () => {
    // Dev's database functions reserve 62 executions (test/lib/config/capacity.test.ts): 2 connections each is 124.
    expect(() => parseEnvironmentConfig({ ...dev, functions: { ...dev.functions, dbPoolMax: 2 } })).toThrow(
      'Invalid config for environment "dev": functions.dbPoolMax: the database functions reserve 62 concurrent ' +
        'executions (capacity model) x functions.dbPoolMax 2 = 124 proxy connections, above the proxy connection ' +
        'budget 67 (max_connections 112 of database.instanceClass db.t4g.micro x database.proxy.maxConnectionsPercent 60%): ' +
        'lower capacity.routeClasses (rateLimit or expectedDurationMs), capacity.concurrencyHeadroom or ' +
        'functions.workerReservedConcurrency, or choose a larger database.instanceClass',
    );
    // The same reservations fit the budget of a larger instance.
    expect(() =>
      parseEnvironmentConfig({
        ...dev,
        functions: { ...dev.functions, dbPoolMax: 2 },
        database: {
          ...dev.database,
          instanceClass: 'db.t4g.small',
          proxy: { ...dev.database.proxy, maxConnectionsPercent: 60 },
        },
      }),
    ).not.toThrow();
  });

  test('rejects a proxy above 80 % of max_connections, a borrow timeout above 10 s and a DR region equal to the region', () => {
    const proxy = dev.database.proxy;
    expect(() =>
      parseEnvironmentConfig({
        ...dev,
        database: { ...dev.database, proxy: { ...proxy, maxConnectionsPercent: 90 } },
      }),
    ).toThrow(/database\.proxy\.maxConnectionsPercent: /);
    expect(() =>
      parseEnvironmentConfig({
        ...dev,
        database: { ...dev.database, proxy: { ...proxy, borrowTimeoutSeconds: 15 } },
      }),
    ).toThrow(/database\.proxy\.borrowTimeoutSeconds: /);
    expect(() => parseEnvironmentConfig({ ...dev, drRegion: dev.region })).toThrow(
      /drRegion: must differ from region/,
    );
  });

  test('rejects retention outside the vault lock and rotation above 30 days', () => {
    expect(() =>
      parseEnvironmentConfig({ ...prod, backup: { ...prod.backup, monthlyRetentionDays: 500 } }),
    ).toThrow(
      /backup\.vaultLock: backup\.monthlyRetentionDays \(500\) must lie within the vault lock's 7\.\.400 days/,
    );
    expect(() =>
      parseEnvironmentConfig({ ...dev, database: { ...dev.database, secretRotationDays: 31 } }),
    ).toThrow(/database\.secretRotationDays: /);
  });
});
