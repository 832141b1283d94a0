import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Peer,
  Port,
  SecurityGroup,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { RampartFunction } from '../compute/rampart-function';
import type { PostgresDatabase } from './postgres-database';

/** The SQL migrations shipped to the function as a layer (mounted at `/opt`). */
export const MIGRATIONS_SOURCE_DIR = join(__dirname, '..', '..', '..', 'lambda', 'migrations');

export interface DatabaseMigrationsProps {
  /** The database to migrate (directly, with its admin secret; never through the proxy). */
  readonly database: PostgresDatabase;
  /** VPC of the function. */
  readonly vpc: IVpc;
  /** Subnets of the function (they reach Secrets Manager through its interface endpoint). */
  readonly subnets: SubnetSelection;
  /** Security group of the Secrets Manager interface endpoint (HTTPS egress is allowed to it only). */
  readonly secretsManagerEndpointSecurityGroup: ISecurityGroup;
  /** Retention of the function's log group, in days. */
  readonly logRetentionDays: number;
  /** Key of the function's log group. */
  readonly logEncryptionKey: IKey;
  /**
   * What happens to the runner's log group when it is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Key the admin secret is encrypted with (the function may decrypt through Secrets Manager only). */
  readonly secretEncryptionKey: IKey;
  /**
   * Where the SQL files come from.
   * @default MIGRATIONS_SOURCE_DIR
   */
  readonly migrationsDir?: string;
}

/**
 * Runs `lambda/migrations` after every deployment that changes them (or the runner) through a
 * CDK trigger: the function reads the admin secret, connects to the instance with verified TLS
 * and applies what is pending. A failed migration fails the deployment; a second run applies
 * nothing (the runner records checksums).
 */
export class DatabaseMigrations extends Construct {
  public readonly function: RampartFunction;
  public readonly securityGroup: SecurityGroup;
  public readonly trigger: Trigger;

  constructor(scope: Construct, id: string, props: DatabaseMigrationsProps) {
    super(scope, id);
    const { database } = props;

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Migrations: to PostgreSQL and the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      Peer.securityGroupId(props.secretsManagerEndpointSecurityGroup.securityGroupId),
      Port.tcp(443),
      'Secrets Manager endpoint',
    );
    database.allowDirectAccess(this.securityGroup, 'Migrations to PostgreSQL');

    const files = new LayerVersion(this, 'Files', {
      code: Code.fromAsset(props.migrationsDir ?? MIGRATIONS_SOURCE_DIR),
      compatibleArchitectures: [Architecture.ARM_64],
      description: 'Rampart SQL migrations (lambda/migrations), mounted at /opt',
    });

    this.function = new RampartFunction(this, 'Function', {
      // Called only by the CloudFormation trigger; a failure fails the deployment.
      invocation: 'synchronous',
      entry: 'migrate/handler.ts',
      description: 'Applies pending SQL migrations to the database after a deployment',
      serviceName: 'migrate',
      logRetentionDays: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
      logRemovalPolicy: props.logRemovalPolicy,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(5),
      environment: {
        DB_SECRET_ID: database.adminSecret.secretArn,
        MIGRATIONS_DIR: '/opt',
        // The Lambda runtime ships the RDS certificate authorities here; pg verifies against them.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
      overrides: { layers: [files] },
    });
    // A customer-managed policy, not the role's inline default policy: read this one secret.
    new ManagedPolicy(this, 'SecretReadPolicy', {
      description: 'Migrations: read the database admin secret',
      roles: [this.function.role!],
      statements: [
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [database.adminSecret.secretArn],
        }),
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.secretEncryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      ],
    });

    this.trigger = new Trigger(this, 'Trigger', {
      handler: this.function,
      timeout: Duration.minutes(5),
      executeOnHandlerChange: true,
      executeAfter: [database.instance, database.adminSecret, database.databaseSecurityGroup],
    });
  }
}
