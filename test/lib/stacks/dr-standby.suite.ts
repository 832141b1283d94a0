import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES, standbyParameterName } from '../../../lib/config';
import { synthEnvironments } from '../../support/synth';

const environments = synthEnvironments();

describe.each(ENVIRONMENT_NAMES)('standby in drRegion (%s)', (name) => {
  const { config, stacks } = environments[name];

  test('only a standby strategy builds stacks in drRegion: prod (warm-standby) does, staging and dev do not', () => {
    const standby = config.recovery.strategy !== 'backup-restore';
    expect(standby).toBe(name === 'prod');
    expect(stacks.drNetwork !== undefined).toBe(standby);
    expect(stacks.drData !== undefined).toBe(standby);
  });
});

describe('prod standby: network and data (Rampart-prod-DrNetwork, Rampart-prod-DrData)', () => {
  const { config, stacks, template: templateOf } = environments.prod;
  const network = templateOf('drNetwork');
  const data = templateOf('drData');
  const drNetwork = config.drNetwork!;

  test('stacks are named Rampart-prod-Dr<Part> in drRegion, termination-protected', () => {
    for (const [stack, part] of [
      [stacks.drNetwork!, 'DrNetwork'],
      [stacks.drData!, 'DrData'],
    ] as const) {
      expect(stack.stackName).toBe(`Rampart-prod-${part}`);
      expect(stack.region).toBe('eu-west-2');
      expect(stack.account).toBe(config.account);
      expect(stack.terminationProtection).toBe(true);
    }
  });

  test('the standby VPC has its own CIDR and subnets in the configured drRegion zones', () => {
    expect(drNetwork.cidr).not.toBe(config.network.cidr);
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: drNetwork.cidr });
    for (const az of drNetwork.availabilityZones) {
      for (const tier of ['Functions', 'Data']) {
        network.hasResourceProperties('AWS::EC2::Subnet', {
          AvailabilityZone: az,
          MapPublicIpOnLaunch: false,
          Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: tier }]),
        });
      }
    }
    network.resourceCountIs('AWS::EC2::NatGateway', drNetwork.natGateways);
  });

  test('the replica follows the primary instance by ARN, encrypted with the DR key by KEY ARN', () => {
    const drKeyArn = {
      'Fn::GetStackOutput': {
        StackName: 'Rampart-prod-DataDr',
        Region: 'eu-west-2',
        OutputName: Match.stringLikeRegexp('^PublishOutputFnGetAttKey[0-9A-F]{8}Arn'),
      },
    };
    data.resourceCountIs('AWS::RDS::DBInstance', 1);
    data.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        SourceDBInstanceIdentifier: {
          'Fn::Join': [
            '',
            [
              `arn:aws:rds:${config.region}:${config.account}:db:`,
              {
                'Fn::GetStackOutput': {
                  StackName: 'Rampart-prod-Data',
                  Region: config.region,
                  OutputName: Match.stringLikeRegexp('^PublishOutputRefDatabaseInstance'),
                },
              },
            ],
          ],
        },
        StorageEncrypted: true,
        KmsKeyId: drKeyArn,
        PerformanceInsightsKMSKeyId: drKeyArn,
        DBInstanceClass: config.database.instanceClass,
        EnableIAMDatabaseAuthentication: true,
        PubliclyAccessible: false,
        DeletionProtection: true,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        MultiAZ: false,
      },
    });
    // A replica takes engine and version from its source; RDS for PostgreSQL keeps no backups on it.
    const replica = Object.values(data.findResources('AWS::RDS::DBInstance'))[0];
    expect(replica.Properties.Engine).toBeUndefined();
    expect(replica.Properties.BackupRetentionPeriod).toBeUndefined();
    expect(replica.Properties.MasterUserPassword).toBeUndefined();
  });

  test('the replica has the primary parameters (TLS forced)', () => {
    data.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: String(config.database.slowQueryThresholdMs),
        shared_preload_libraries: 'pg_stat_statements',
        log_connections: '1',
        log_disconnections: '1',
      },
    });
  });

  test('the standby proxy exists ahead of time with the primary settings and an empty default target group', () => {
    data.hasResourceProperties('AWS::RDS::DBProxy', {
      DBProxyName: 'rampart-prod-standby',
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
      DebugLogging: false,
      IdleClientTimeout: config.database.proxy.idleClientTimeoutSeconds,
    });
    data.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      TargetGroupName: 'default',
      ConnectionPoolConfigurationInfo: {
        ConnectionBorrowTimeout: config.database.proxy.borrowTimeoutSeconds,
        MaxConnectionsPercent: config.database.proxy.maxConnectionsPercent,
        MaxIdleConnectionsPercent: config.database.proxy.maxIdleConnectionsPercent,
      },
    });
    // A read replica cannot be a proxy target: the promotion step registers it (lib/dr/standby-database.ts).
    const group = Object.values(data.findResources('AWS::RDS::DBProxyTargetGroup'))[0];
    expect(group.Properties.DBInstanceIdentifiers).toBeUndefined();
  });

  test('the proxy may connect to the (promoted) replica as rampart_app only', () => {
    data.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  `arn:aws:rds-db:eu-west-2:${config.account}:dbuser:`,
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseReplica'), 'DbiResourceId'] },
                  '/rampart_app',
                ],
              ],
            },
          },
        ],
      },
    });
  });

  test('the replica admits the standby proxy only, on 5432', () => {
    const ingress = Object.values(data.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.ToPort])).toEqual(
      ingress.map(() => [5432, 5432]),
    );
    data.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseDatabaseSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxySecurityGroup'), 'GroupId'],
      },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('SSM parameters name what the failover steps act on', () => {
    const parameters: Record<string, unknown> = {
      'proxy-name': 'rampart-prod-standby',
      'proxy-target-group': 'default',
      'backup-retention-days': String(config.database.backupRetentionDays),
      'backup-window': '01:00-02:00',
      'replica-instance-id': { Ref: Match.stringLikeRegexp('^DatabaseReplica') },
    };
    for (const [key, value] of Object.entries(parameters)) {
      data.hasResourceProperties('AWS::SSM::Parameter', {
        Name: standbyParameterName('prod', key as never),
        Type: 'String',
        Value: value,
      });
    }
  });
});
