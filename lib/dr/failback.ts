import {
  CreateDBInstanceReadReplicaCommand,
  DeregisterDBProxyTargetsCommand,
  PromoteReadReplicaCommand,
  RegisterDBProxyTargetsCommand,
  type CreateDBInstanceReadReplicaCommandInput,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { StandbyDatabaseRef } from './standby-database';

/**
 * Failback: the primary region is back and the promoted standby in drRegion serves. The reverse
 * of the failover steps (docs/dr.md, runbooks/dr/region-failback.md): a new cross-region replica
 * of the promoted standby in the primary region, placed like the old primary; in a maintenance
 * window the standby is fenced (its proxy target removed: no write lands there any more), the
 * replica catches up and is promoted, the primary proxy is re-pointed to it, and traffic moves back
 * (`switchTrafficToPrimary`, lib/dr/traffic-switch.ts) and the standby's schedules are disabled
 * again (`disableStandbySchedules`, lib/dr/standby-schedules.ts). Every step can be run again.
 */

/** Sends a request whose `fault` means "already so": a step run again changes nothing. */
async function unless(fault: string, request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === fault) return false;
    throw error;
  }
}

/** What the new primary is built from. */
export interface PrimaryReplicaPlan {
  /** The old primary as RDS describes it now (the region is back): its placement is copied. */
  readonly oldPrimary: DBInstance;
  /**
   * ARN of the promoted standby in drRegion: the new replica's source (an ARN makes the request
   * cross-region; outside GovCloud and China RDS needs no pre-signed URL for it).
   */
  readonly standbyInstanceArn: string;
  /** Identifier of the new instance (a new name: the old primary keeps its own until it is deleted). */
  readonly newInstanceId: string;
}

/**
 * The CreateDBInstanceReadReplica request of the new primary: the old primary's class, subnet
 * group, security groups, parameter group, key (the primary region's data key), storage type, port
 * and IAM authentication (the proxy and functions use it); single-AZ while it only replicates
 * (Multi-AZ after promotion, like the standby), never public, deletion-protected.
 */
export function primaryReplicaRequest(plan: PrimaryReplicaPlan): CreateDBInstanceReadReplicaCommandInput {
  const old = plan.oldPrimary;
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new Error(
        `The old primary ${old.DBInstanceIdentifier ?? '?'} names no ${what}: place the replica by hand`,
      );
    }
    return value;
  };
  return {
    DBInstanceIdentifier: plan.newInstanceId,
    SourceDBInstanceIdentifier: plan.standbyInstanceArn,
    DBInstanceClass: required(old.DBInstanceClass, 'instance class'),
    DBSubnetGroupName: required(old.DBSubnetGroup?.DBSubnetGroupName, 'subnet group'),
    VpcSecurityGroupIds: required(old.VpcSecurityGroups, 'security group')
      .map((group) => group.VpcSecurityGroupId)
      .filter((id): id is string => id !== undefined),
    DBParameterGroupName: required(old.DBParameterGroups?.[0]?.DBParameterGroupName, 'parameter group'),
    KmsKeyId: required(old.KmsKeyId, 'KMS key'),
    StorageType: old.StorageType,
    Port: old.Endpoint?.Port,
    EnableIAMDatabaseAuthentication: old.IAMDatabaseAuthenticationEnabled ?? true,
    MultiAZ: false,
    PubliclyAccessible: false,
    DeletionProtection: true,
    CopyTagsToSnapshot: true,
    Tags: [{ Key: 'rampart:failback-from', Value: plan.standbyInstanceArn }],
  };
}

/** Step 1: the new primary starts replicating from the standby. An instance of that name already there is taken as done. */
export async function createPrimaryReplica(
  rds: RDSClient,
  plan: PrimaryReplicaPlan,
): Promise<{ readonly created: boolean }> {
  const created = await unless(
    'DBInstanceAlreadyExistsFault',
    rds.send(new CreateDBInstanceReadReplicaCommand(primaryReplicaRequest(plan))),
  );
  return { created };
}

/**
 * Step 2 (the maintenance window starts): fence the standby by removing the promoted instance from
 * the standby proxy's target group, so no write lands there after the new primary caught up (the
 * standby API answers 5xx until traffic moves). Reverse of `registerStandbyProxyTarget`; a target
 * already removed is fine.
 */
export async function fenceStandby(rdsDr: RDSClient, standby: StandbyDatabaseRef): Promise<void> {
  await unless(
    'DBProxyTargetNotFoundFault',
    rdsDr.send(
      new DeregisterDBProxyTargetsCommand({
        DBProxyName: standby.proxyName,
        TargetGroupName: standby.proxyTargetGroup,
        DBInstanceIdentifiers: [standby.replicaInstanceId],
      }),
    ),
  );
}

/** Step 3: promote the new primary (replica lag 0 once the standby is fenced), with the primary's backup retention and window. */
export async function promotePrimaryReplica(
  rds: RDSClient,
  replica: {
    readonly instanceId: string;
    readonly backupRetentionDays: number;
    readonly backupWindow: string;
  },
): Promise<void> {
  await rds.send(
    new PromoteReadReplicaCommand({
      DBInstanceIdentifier: replica.instanceId,
      BackupRetentionPeriod: replica.backupRetentionDays,
      PreferredBackupWindow: replica.backupWindow,
    }),
  );
}

/**
 * Step 4: the primary RDS Proxy moves from the old primary to the new one: deregister the old
 * (gone already is fine), register the new (registered already is fine). The primary functions
 * use the proxy endpoint, so nothing else changes for them.
 */
export async function repointPrimaryProxy(
  rds: RDSClient,
  proxy: {
    readonly proxyName: string;
    readonly targetGroup: string;
    readonly from: string;
    readonly to: string;
  },
): Promise<void> {
  const target = (instance: string) => ({
    DBProxyName: proxy.proxyName,
    TargetGroupName: proxy.targetGroup,
    DBInstanceIdentifiers: [instance],
  });
  await unless(
    'DBProxyTargetNotFoundFault',
    rds.send(new DeregisterDBProxyTargetsCommand(target(proxy.from))),
  );
  await unless(
    'DBProxyTargetAlreadyRegisteredFault',
    rds.send(new RegisterDBProxyTargetsCommand(target(proxy.to))),
  );
}
