import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { InstanceType, Port, SecurityGroup, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import {
  Grant,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
  type IGrantable,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CaCertificate,
  CfnDBInstance,
  CfnDBProxy,
  CfnDBProxyTargetGroup,
  DatabaseInstance,
  DatabaseInstanceEngine,
  DatabaseInstanceReadReplica,
  ParameterGroup,
  PerformanceInsightRetention,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseConfig } from '../../config';
import {
  acknowledgeLogRetentionHelper,
  APP_DB_USER,
  POSTGRES_PORT,
  POSTGRES_VERSION,
  postgresParameters,
} from './postgres-database';

/** The target group every RDS Proxy has; the failover step registers the promoted replica in it. */
export const PROXY_TARGET_GROUP = 'default';

export interface StandbyDatabaseProps {
  /** Sizing and proxy settings: the primary's, so the promoted replica serves the same load. */
  readonly config: DatabaseConfig;
  /** ARN of the primary instance (in the primary region). */
  readonly sourceInstanceArn: string;
  /** The standby VPC. */
  readonly vpc: IVpc;
  /** Isolated subnets of the replica and the proxy. */
  readonly databaseSubnets: SubnetSelection;
  /** Key in this region for storage and Performance Insights (a KEY ARN is rendered, never an alias). */
  readonly encryptionKey: IKey;
  /** Name of the proxy, fixed so the failover step can address it (`rampart-<env>-dr`). */
  readonly proxyName: string;
}

/**
 * The standby data tier in drRegion: an encrypted cross-region read replica of the primary
 * (asynchronous streaming replication; its lag is the region-loss RPO) and an RDS Proxy with the
 * primary's settings but no target yet. A read replica cannot be a proxy target for an RDS
 * instance (only the writer can), so the failover step promotes the replica and then registers it
 * in the proxy's `default` target group (lib/dr/standby-database.ts); the proxy endpoint, which
 * the standby functions are configured with, exists from day one. RDS for PostgreSQL keeps no
 * automated backups on a read replica: the promotion sets the primary's retention.
 */
export class StandbyDatabase extends Construct {
  public readonly replica: DatabaseInstanceReadReplica;
  public readonly proxy: CfnDBProxy;
  public readonly proxyTargetGroup: CfnDBProxyTargetGroup;
  public readonly proxyRole: Role;
  public readonly databaseSecurityGroup: SecurityGroup;
  public readonly proxySecurityGroup: SecurityGroup;
  /** Give this group to functions that use the database through the proxy. */
  public readonly clientSecurityGroup: SecurityGroup;
  private readonly vpc: IVpc;

  constructor(scope: Construct, id: string, props: StandbyDatabaseProps) {
    super(scope, id);
    const { config, vpc, encryptionKey } = props;
    this.vpc = vpc;
    const engine = DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });

    this.databaseSecurityGroup = this.securityGroup(
      'DatabaseSecurityGroup',
      'Standby PostgreSQL: from the standby proxy only',
    );
    this.proxySecurityGroup = this.securityGroup(
      'ProxySecurityGroup',
      'Standby RDS Proxy: from database clients, to the replica',
    );
    this.clientSecurityGroup = this.securityGroup(
      'ClientSecurityGroup',
      'Standby database clients: to the standby RDS Proxy only',
    );
    this.clientSecurityGroup.connections.allowTo(
      this.proxySecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'Clients to the proxy',
    );
    this.proxySecurityGroup.connections.allowTo(
      this.databaseSecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'Proxy to the replica',
    );

    // The replica's parameters are the primary's: after promotion it is the primary.
    const parameterGroup = new ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Rampart PostgreSQL standby: the primary parameters (TLS only, slow query log)',
      parameters: postgresParameters(config),
    });
    const source = DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: props.sourceInstanceArn,
      instanceEndpointAddress: 'unused-for-a-replica',
      port: POSTGRES_PORT,
      securityGroups: [],
    });
    this.replica = new DatabaseInstanceReadReplica(this, 'Replica', {
      sourceDatabaseInstance: source,
      instanceType: new InstanceType(config.instanceClass.replace(/^db\./, '')),
      vpc,
      vpcSubnets: props.databaseSubnets,
      securityGroups: [this.databaseSecurityGroup],
      port: POSTGRES_PORT,
      parameterGroup,
      caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
      storageType: StorageType.GP3,
      // The primary's size (a replica is created at its source's size; stated so the template says it).
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      // Encrypted with the DR-region key (KmsKeyId): a cross-region replica of an encrypted source must be.
      storageEncryptionKey: encryptionKey,
      iamAuthentication: true,
      publiclyAccessible: false,
      // Single-AZ while it only replicates (half the cost); the failover runbook adds the standby.
      multiAz: false,
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      autoMinorVersionUpgrade: false,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      cloudwatchLogsRetention: config.cloudwatchLogsRetentionDays as RetentionDays,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: encryptionKey,
      performanceInsightRetention: config.performanceInsightsRetentionDays as PerformanceInsightRetention,
      monitoringInterval:
        config.monitoringIntervalSeconds > 0 ? Duration.seconds(config.monitoringIntervalSeconds) : undefined,
    });
    const cfn = this.replica.node.defaultChild as CfnDBInstance;
    // The source lives in another region: RDS wants its ARN (the imported instance would render a local one).
    cfn.sourceDbInstanceIdentifier = props.sourceInstanceArn;
    cfn.copyTagsToSnapshot = true;
    // CloudFormation refuses StorageEncrypted beside SourceDBInstanceIdentifier (a replica inherits its
    // source's encryption; KmsKeyId names the key in this region); CDK sets it whenever a key is given.
    cfn.addPropertyDeletionOverride('StorageEncrypted');

    this.proxyRole = new Role(this, 'ProxyRole', {
      assumedBy: new ServicePrincipal('rds.amazonaws.com'),
      description: `Standby RDS Proxy: IAM-authenticates to PostgreSQL as ${APP_DB_USER}`,
    });
    new ManagedPolicy(this, 'ProxyConnectPolicy', {
      description: `Standby RDS Proxy: connect to the replica (once promoted) as ${APP_DB_USER} only`,
      roles: [this.proxyRole],
      statements: [
        new PolicyStatement({
          actions: ['rds-db:connect'],
          resources: [this.dbUserArn(Stack.of(this), cfn.attrDbiResourceId, APP_DB_USER)],
        }),
      ],
    });
    this.proxy = new CfnDBProxy(this, 'Proxy', {
      dbProxyName: props.proxyName,
      engineFamily: 'POSTGRESQL',
      roleArn: this.proxyRole.roleArn,
      vpcSubnetIds: vpc.selectSubnets(props.databaseSubnets).subnetIds,
      vpcSecurityGroupIds: [this.proxySecurityGroup.securityGroupId],
      requireTls: true,
      defaultAuthScheme: 'IAM_AUTH',
      debugLogging: false,
      idleClientTimeout: config.proxy.idleClientTimeoutSeconds,
    });
    // The primary's pool settings, ready for the promoted replica (registered by the failover step).
    this.proxyTargetGroup = new CfnDBProxyTargetGroup(this, 'ProxyTargetGroup', {
      dbProxyName: this.proxy.ref,
      targetGroupName: PROXY_TARGET_GROUP,
      connectionPoolConfigurationInfo: {
        connectionBorrowTimeout: config.proxy.borrowTimeoutSeconds,
        maxConnectionsPercent: config.proxy.maxConnectionsPercent,
        maxIdleConnectionsPercent: config.proxy.maxIdleConnectionsPercent,
      },
    });
    this.acknowledgeFindings();
  }

  /** The proxy endpoint the standby functions connect to (TLS, IAM token as password). */
  get proxyEndpoint(): string {
    return this.proxy.attrEndpoint;
  }

  /**
   * Lets `grantee` connect through the standby proxy as `dbUser` with an IAM token; the network path
   * is `clientSecurityGroup` (already allowed to the proxy).
   */
  grantProxyConnect(grantee: IGrantable, dbUser: string = APP_DB_USER): Grant {
    // The proxy's resource id (prx-...) is the last field of its ARN, as DatabaseProxy.grantConnect reads it.
    const proxyResourceId = Fn.select(6, Fn.split(':', this.proxy.attrDbProxyArn));
    return Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [this.dbUserArn(Stack.of(this), proxyResourceId, dbUser)],
    });
  }

  private dbUserArn(stack: Stack, resourceId: string, dbUser: string): string {
    return stack.formatArn({
      service: 'rds-db',
      resource: 'dbuser',
      resourceName: `${resourceId}/${dbUser}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private securityGroup(id: string, description: string): SecurityGroup {
    return new SecurityGroup(this, id, { vpc: this.vpc, description, allowAllOutbound: false });
  }

  private acknowledgeFindings(): void {
    const instance = this.replica.node.defaultChild as CfnDBInstance;
    const acknowledgements: Record<string, string> = {
      'AwsSolutions-RDS11':
        'PostgreSQL keeps its standard port 5432 like the primary it replicates: isolated subnets, and the security group admits only the standby proxy.',
      'AwsSolutions-RDS3':
        'Single-AZ while it is a replica (half the standby cost); the region-failover runbook makes it Multi-AZ after promotion, outside the RTO path.',
      'NIST.800.53.R5-RDSMultiAZSupport':
        'Single-AZ while it is a replica (half the standby cost); the region-failover runbook makes it Multi-AZ after promotion, outside the RTO path.',
      'NIST.800.53.R5-RDSInBackupPlan':
        'A read replica has no automated backups in RDS for PostgreSQL and AWS Backup cannot back it up; the primary is in the plan, its copies reach the DR vault, and the promotion step sets the backup retention.',
      'NIST.800.53.R5-RDSInstanceBackupEnabled':
        'RDS for PostgreSQL keeps no automated backups on a read replica; the promotion step (lib/dr/standby-database.ts) sets the primary retention on the promoted instance.',
    };
    for (const [id, reason] of Object.entries(acknowledgements)) {
      Validations.of(instance).acknowledge({ id, reason });
    }
    acknowledgeLogRetentionHelper(Stack.of(this));
    const monitoringRole = this.replica.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      Validations.of(monitoringRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        reason:
          'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS enhanced monitoring requires (it only writes the RDSOSMetrics log group); the role is assumable by monitoring.rds.amazonaws.com only.',
      });
    }
  }
}
