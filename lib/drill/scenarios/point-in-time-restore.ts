import { defineScenario } from '../definition';

/**
 * Data was destroyed (a mistaken DELETE, a bad migration) while the servers are fine: restore the
 * base backup plus WAL to the moment just before, on a new server, and switch to it.
 */
export const pointInTimeRestore = defineScenario({
  name: 'point-in-time-restore',
  title: 'Restore the database to the moment before data was destroyed',
  useWhen:
    'Data was lost or corrupted (a mistaken `DELETE`, a bad migration) and the region is fine. The restore creates a ' +
    '**new** instance; nothing happens to the current one until the proxy is switched. Rehearsed on this machine with ' +
    'real servers (`npm run drill -- --local --scenario point-in-time-restore`).',
  failureKind: 'pointInTimeRestore',
  variables: [
    { name: 'AWS_REGION', value: 'eu-west-1', meaning: "the environment's region" },
    { name: 'ENV', value: 'staging', meaning: 'environment (prod needs `--confirm prod` in the drill)' },
    {
      name: 'SOURCE_DB',
      value:
        '$(aws cloudformation describe-stack-resource --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseInstanceAA8A5FDE --query StackResourceDetail.PhysicalResourceId --output text)',
      meaning: 'the damaged instance',
    },
    {
      name: 'PROXY',
      value:
        '$(aws cloudformation describe-stack-resource --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseProxyE01FC4E6 --query StackResourceDetail.PhysicalResourceId --output text)',
      meaning: 'the RDS Proxy in front of it',
    },
    { name: 'TARGET_DB', value: '$SOURCE_DB-restore-$(date -u +%Y%m%d%H%M)', meaning: 'the new instance' },
  ],
  steps: [
    {
      id: 'check-restore-window',
      phase: 'prepare',
      title: 'Check the restore window reaches the present',
      action:
        "Read the newest restorable time (RDS: LatestRestorableTime; locally: the WAL archiver's last archived segment).",
      verification: 'the newest restorable time is within the RPO of now and archiving reports no failures',
      rollback: 'Nothing to undo. If the window is stale, stop: the restore would lose more than the RPO.',
      decides: 'database owner',
      timeoutSeconds: 15,
      commands: [
        'aws rds describe-db-instances --db-instance-identifier $SOURCE_DB --query "DBInstances[0].LatestRestorableTime"',
      ],
    },
    {
      id: 'destroy-data',
      phase: 'fault',
      title: 'Destroy data with one statement at a known moment (drill only)',
      action:
        'Run a destructive statement: locally `DELETE FROM projects`; on AWS the drill deletes its own heartbeat records through the API.',
      verification: 'the destroyed rows are gone',
      rollback: 'This scenario is the rollback: restore to the moment before.',
      decides: 'drill lead',
      timeoutSeconds: 15,
    },
    {
      id: 'choose-recovery-target',
      phase: 'recover',
      title: 'Choose the recovery target: the moment just before the damage',
      action:
        'Find when the destructive statement ran (PostgreSQL log, CloudTrail, the deploy log) and take that moment as the target; commits at or after it are not replayed.',
      verification: 'the target is before the damage and inside the restore window',
      rollback: 'Nothing to undo: choose again.',
      decides: 'incident commander',
      timeoutSeconds: 10,
      commands: ['export RESTORE_TIME=2026-01-31T09:14:00.000Z   # the moment of the damage, UTC'],
    },
    {
      id: 'restore-to-new-instance',
      phase: 'recover',
      title: 'Restore the base backup and WAL to the target on a new instance',
      action:
        'RDS: RestoreDBInstanceToPointInTime into the same subnets, security group and parameter group, then wait until available. ' +
        'Locally: copy the base backup, set `restore_command` and `recovery_target_time`, start it with `recovery.signal`.',
      verification: 'the new instance is available and out of recovery',
      rollback:
        'Delete the new instance (switch off its deletion protection first); the damaged one is untouched.',
      decides: 'database owner',
      timeoutSeconds: 3600,
      commands: [
        'read SUBNET_GROUP SG PARAMS CLASS < <(aws rds describe-db-instances --db-instance-identifier $SOURCE_DB --query "DBInstances[0].[DBSubnetGroup.DBSubnetGroupName,VpcSecurityGroups[0].VpcSecurityGroupId,DBParameterGroups[0].DBParameterGroupName,DBInstanceClass]" --output text)',
        'aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier $SOURCE_DB --target-db-instance-identifier $TARGET_DB --restore-time $RESTORE_TIME --db-subnet-group-name $SUBNET_GROUP --vpc-security-group-ids $SG --db-parameter-group-name $PARAMS --db-instance-class $CLASS --enable-iam-database-authentication --deletion-protection --copy-tags-to-snapshot --enable-cloudwatch-logs-exports postgresql upgrade',
        'aws rds wait db-instance-available --db-instance-identifier $TARGET_DB',
        "# RDS creates the new log groups unencrypted: encrypt them with the data key, with the environment's retention",
        'export RETENTION=365   # database.cloudwatchLogsRetentionDays of the environment (prod: 365)',
        'export KEY_ARN=$(aws kms describe-key --key-id $(aws cloudformation describe-stack-resource --stack-name Rampart-$ENV-Data --logical-resource-id KeyE447D366 --query StackResourceDetail.PhysicalResourceId --output text) --query KeyMetadata.Arn --output text)',
        'for log in postgresql upgrade; do aws logs create-log-group --log-group-name /aws/rds/instance/$TARGET_DB/$log --kms-key-id $KEY_ARN 2>/dev/null || aws logs associate-kms-key --log-group-name /aws/rds/instance/$TARGET_DB/$log --kms-key-id $KEY_ARN; aws logs put-retention-policy --log-group-name /aws/rds/instance/$TARGET_DB/$log --retention-in-days $RETENTION; done',
      ],
    },
    {
      id: 'verify-restored-data',
      phase: 'recover',
      title: 'Check the restored data before switching',
      action: 'With a read-only session, look at the newest rows of the damaged tables on the new instance.',
      verification:
        'the restored data reaches the target: the newest row is no older than the RPO before the damage, and nothing after the target is there',
      rollback: 'Delete the new instance and restore again with a corrected target.',
      decides: 'database owner',
      timeoutSeconds: 60,
    },
    {
      id: 'switch-proxy-target',
      phase: 'recover',
      title: 'Re-point the proxy at the restored instance',
      action:
        'Deregister the damaged instance from the proxy and register the restored one; the application follows within seconds.',
      verification: "the proxy's target is the restored instance and it is available",
      rollback: 'Register the old instance again and deregister the restored one.',
      decides: 'incident commander',
      timeoutSeconds: 600,
      commands: [
        'aws rds deregister-db-proxy-targets --db-proxy-name $PROXY --db-instance-identifiers $SOURCE_DB',
        'aws rds register-db-proxy-targets --db-proxy-name $PROXY --db-instance-identifiers $TARGET_DB',
        'aws rds describe-db-proxy-targets --db-proxy-name $PROXY --query "Targets[].TargetHealth"',
      ],
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify the API serves the restored data',
      action: 'Write and read a heartbeat through the API, and read a record written just before the damage.',
      verification: 'a heartbeat is acknowledged and read back, and the newest pre-damage record is readable',
      rollback: "Switch the proxy back (previous step's rollback) and investigate.",
      decides: 'incident commander',
      timeoutSeconds: 120,
    },
  ],
  afterwards: [
    'Point the admin secret at the new host (`aws secretsmanager put-secret-value` with the new `host`) so rotation and migrations reach it.',
    'Bring CloudFormation back in line before the next deploy (rename the instances or import the new one; `npx cdk diff` must show no replacement).',
    'Keep the damaged instance (deletion protection on) until the incident review is closed.',
  ],
});
