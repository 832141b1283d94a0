import { defineProcedure } from '../definition';
import { STANDBY_VALUES_VARIABLE } from './region-failover';

/**
 * Back to the primary region after a region failover (prod): the reverse of region-failover.ts,
 * in a maintenance window. Not a drill scenario (nothing is broken on purpose); the AWS steps are
 * lib/dr/failback.ts plus the reverse steps of lib/dr/traffic-switch.ts and standby-schedules.ts, and
 * enableReplicaAlarmActions (lib/dr/standby-alarms.ts) once the rebuilt standby streams.
 */
export const regionFailback = defineProcedure({
  name: 'region-failback',
  stepsFile: 'lib/dr/failback.ts',
  title: 'Fail back from the standby to the primary region',
  useWhen:
    'After [region-failover.md](region-failover.md): the primary region serves again and the promoted standby in `drRegion` ' +
    'carries prod. The primary is rebuilt from the standby as a new cross-region replica, then, in a maintenance window ' +
    '(writes stop from the fence to the traffic switch, minutes), promoted and given the traffic back. Until this is done, ' +
    'do not deploy `Rampart-prod-DrData` (it would try to make its promoted instance a replica again) nor `Rampart-prod-Data`.',
  variables: [
    { name: 'PRIMARY', value: 'eu-west-1', meaning: "the environment's (primary) region" },
    { name: 'DR', value: 'eu-west-2', meaning: 'drRegion, where the promoted standby serves' },
    { name: 'ENV', value: 'prod', meaning: 'environment' },
    STANDBY_VALUES_VARIABLE,
    {
      name: 'NEW',
      value: 'rampart-$ENV-failback-$(date -u +%Y%m%d)',
      meaning: 'identifier of the new primary instance (the old one keeps its name until it is deleted)',
    },
  ],
  steps: [
    {
      id: 'check-primary-region',
      phase: 'prepare',
      title: 'Check the primary region serves and the old primary is described',
      action:
        "Describe the old primary instance (the Data stack's `DatabaseInstanceAA8A5FDE`) and its RDS Proxy in the primary region: the new primary copies its class, subnet group, security groups, parameter group and key.",
      verification:
        'the old primary and the primary proxy are described in the primary region, and the standby in drRegion is a promoted, `available` instance',
      rollback: 'Nothing to undo.',
      decides: 'incident commander',
      timeoutSeconds: 300,
      commands: [
        'OLD=$(aws cloudformation describe-stack-resource --region $PRIMARY --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseInstanceAA8A5FDE --query StackResourceDetail.PhysicalResourceId --output text)',
        'PROXY=$(aws cloudformation describe-stack-resource --region $PRIMARY --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseProxyE01FC4E6 --query StackResourceDetail.PhysicalResourceId --output text)',
        'STANDBY=$(aws ssm get-parameter --region $DR --name $P/replica-instance-id --query Parameter.Value --output text)',
        'aws rds describe-db-instances --region $PRIMARY --db-instance-identifier $OLD --query "DBInstances[0].[DBInstanceClass,DBSubnetGroup.DBSubnetGroupName,VpcSecurityGroups[].VpcSecurityGroupId,DBParameterGroups[0].DBParameterGroupName,KmsKeyId]"',
        'aws rds describe-db-instances --region $DR --db-instance-identifier $STANDBY --query "DBInstances[0].[DBInstanceStatus,ReadReplicaSourceDBInstanceIdentifier,DBInstanceArn]"',
      ],
    },
    {
      id: 'create-primary-replica',
      phase: 'recover',
      title: 'Create the new primary: a replica of the standby in the primary region',
      action:
        "Create a cross-region read replica of the promoted standby in the primary region, placed like the old primary and encrypted with the primary's data key, single-AZ, deletion-protected (`createPrimaryReplica`, lib/dr/failback.ts). Wait until it is available and its `ReplicaLag` is seconds. Traffic stays on the standby meanwhile.",
      verification:
        'the new instance is `available`, a replica of the standby, and its `ReplicaLag` is under a minute',
      rollback:
        'Delete the new replica (`aws rds delete-db-instance --skip-final-snapshot` after turning its deletion protection off); the standby keeps serving.',
      decides: 'database owner',
      timeoutSeconds: 14_400,
      commands: [
        'aws rds create-db-instance-read-replica --region $PRIMARY --db-instance-identifier $NEW --source-db-instance-identifier <standby DBInstanceArn> --db-instance-class <class> --db-subnet-group-name <subnet group> --vpc-security-group-ids <security groups> --db-parameter-group-name <parameter group> --kms-key-id <old primary KmsKeyId> --storage-type gp3 --port 5432 --enable-iam-database-authentication --no-multi-az --no-publicly-accessible --deletion-protection --copy-tags-to-snapshot --tags Key=rampart:failback-from,Value=<standby DBInstanceArn>',
        'aws rds wait db-instance-available --region $PRIMARY --db-instance-identifier $NEW',
        'aws cloudwatch get-metric-statistics --region $PRIMARY --namespace AWS/RDS --metric-name ReplicaLag --dimensions Name=DBInstanceIdentifier,Value=$NEW --statistics Maximum --period 60 --start-time $(date -u -d "-5 min" +%FT%TZ) --end-time $(date -u +%FT%TZ)',
      ],
    },
    {
      id: 'fence-standby',
      phase: 'recover',
      title: 'Start the maintenance window: fence the standby and stop its schedules',
      action:
        "Announce the window and set maintenance mode in both regions' Ops. Remove the promoted standby from the standby proxy's target group (`fenceStandby`): from now on no write reaches it, and the API answers 5xx until the traffic switch. Disable the standby's scheduled rules (`disableStandbySchedules`, lib/dr/standby-schedules.ts). Wait until the new primary's `ReplicaLag` is 0.",
      verification:
        "the standby proxy has no target, every standby schedule rule is `DISABLED`, and the new primary's `ReplicaLag` is 0",
      rollback:
        'Register the standby again (`registerStandbyProxyTarget`, as in region-failover) and enable its schedules: the standby serves, and the failback can be tried later.',
      decides: 'incident commander',
      timeoutSeconds: 600,
      commands: [
        'aws rds deregister-db-proxy-targets --region $DR --db-proxy-name $(aws ssm get-parameter --region $DR --name $P/proxy-name --query Parameter.Value --output text) --target-group-name $(aws ssm get-parameter --region $DR --name $P/proxy-target-group --query Parameter.Value --output text) --db-instance-identifiers $STANDBY',
        "for rule in $(aws ssm get-parameter --region $DR --name $P/schedule-rule-names --query Parameter.Value --output text | node -pe \"JSON.parse(require('fs').readFileSync(0)).join(' ')\"); do aws events disable-rule --region $DR --name $rule; done",
      ],
    },
    {
      id: 'promote-primary-replica',
      phase: 'recover',
      title: 'Promote the new primary',
      action:
        "Promote the new primary with the primary's backup retention and window (`promotePrimaryReplica`) and wait until it is available and no longer a replica. Replication from the standby ends here.",
      verification: 'the new primary is `available` and has no replication source',
      rollback:
        'A promotion cannot be undone: to go back to the standby, register the standby with its proxy again (it has every write up to the fence) and switch no traffic.',
      decides: 'incident commander',
      timeoutSeconds: 1800,
      commands: [
        'aws rds promote-read-replica --region $PRIMARY --db-instance-identifier $NEW --backup-retention-period $(aws ssm get-parameter --region $DR --name $P/backup-retention-days --query Parameter.Value --output text) --preferred-backup-window $(aws ssm get-parameter --region $DR --name $P/backup-window --query Parameter.Value --output text)',
        'aws rds wait db-instance-available --region $PRIMARY --db-instance-identifier $NEW',
      ],
    },
    {
      id: 'repoint-primary-proxy',
      phase: 'recover',
      title: 'Point the primary RDS Proxy at the new primary',
      action:
        "Deregister the old primary from the primary proxy's `default` target group and register the new one (`repointPrimaryProxy`); wait for the target to be `AVAILABLE`. The primary functions use the proxy endpoint: nothing else changes for them.",
      verification: 'the primary proxy has exactly one target, the new primary, `AVAILABLE`',
      rollback: 'Deregister the new primary and register the old one again.',
      decides: 'on-call engineer',
      timeoutSeconds: 900,
      commands: [
        'aws rds deregister-db-proxy-targets --region $PRIMARY --db-proxy-name $PROXY --target-group-name default --db-instance-identifiers $OLD',
        'aws rds register-db-proxy-targets --region $PRIMARY --db-proxy-name $PROXY --target-group-name default --db-instance-identifiers $NEW',
        'aws rds describe-db-proxy-targets --region $PRIMARY --db-proxy-name $PROXY --query "Targets[].[RdsResourceId,TargetHealth.State]"',
      ],
    },
    {
      id: 'recreate-primary-api-keys',
      phase: 'recover',
      title: "Recreate the API Gateway keys in the primary's usage plans",
      action:
        "Invoke the primary API's key recreation function once (the `ApiKeyRecreationFunctionName` output of `Rampart-<env>-Api`; `recreateGatewayKeys`, the standby's function code): it reuses every key whose value the primary gateway still holds, creates the keys made while on the standby, and points each row back at the primary gateway's key (idempotent).",
      verification: 'the function answers `{ created, existing, repointed }` without a function error',
      rollback: 'Nothing to undo: the primary gateway serves keys only once traffic moves back.',
      decides: 'on-call engineer',
      timeoutSeconds: 300,
      commands: [
        'aws lambda invoke --region $PRIMARY --function-name $(aws cloudformation describe-stacks --region $PRIMARY --stack-name Rampart-$ENV-Api --query "Stacks[0].Outputs[?OutputKey==\'ApiKeyRecreationFunctionName\'].OutputValue" --output text) /dev/stdout',
      ],
    },
    {
      id: 'switch-traffic-back',
      phase: 'recover',
      title: "Switch CloudFront's API origin back to the primary API",
      action:
        "Move the distribution's API origin from the standby API back to the primary API with one UpdateDistribution and wait until it is deployed (`switchTrafficToPrimary`, lib/dr/traffic-switch.ts). The primary web ACL accepts the value CloudFront sends: the primary's rotation owns it.",
      verification:
        'the distribution is `Deployed` and its API origin is the primary API (`$P/primary-origin-domain`)',
      rollback:
        'Switch the origin to the standby again (region-failover, `switch-traffic`) after registering the standby with its proxy.',
      decides: 'incident commander',
      timeoutSeconds: 1800,
      commands: [
        'DIST=$(aws ssm get-parameter --region $DR --name $P/distribution-id --query Parameter.Value --output text)',
        'aws cloudfront get-distribution-config --id $DIST > dist.json   # note ETag; edit Origins: api-origin-domain -> primary-origin-domain',
        'aws cloudfront update-distribution --id $DIST --if-match <ETag> --distribution-config file://config-only.json',
        'aws cloudfront wait distribution-deployed --id $DIST',
      ],
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify the API writes and reads through the public edge, then end the window',
      action:
        'Write and read a heartbeat through CloudFront with the machine credential; a project written on the standby before the fence reads back. Then clear maintenance mode.',
      verification:
        'a heartbeat is acknowledged and read back through the public edge, and rows written on the standby are there',
      rollback:
        'Go back to the standby (the rollbacks above, in reverse order) if the primary does not serve.',
      decides: 'incident commander',
      timeoutSeconds: 600,
    },
    {
      id: 'enable-multi-az',
      phase: 'recover',
      title: 'Make the new primary Multi-AZ',
      action: 'Modify the new primary: Multi-AZ, applied immediately (runs in the background).',
      verification: 'Multi-AZ is on or pending',
      rollback: 'Nothing to undo.',
      decides: 'database owner',
      timeoutSeconds: 300,
      commands: [
        'aws rds modify-db-instance --region $PRIMARY --db-instance-identifier $NEW --multi-az --apply-immediately',
      ],
    },
    {
      id: 'rearm-replica-alarms',
      phase: 'recover',
      title: "Rebuild the standby, then enable its replica-only alarms' actions again",
      action:
        'Once the new primary has run a day: delete the promoted standby, then deploy the DR stacks so that a new replica follows the new primary (`Rampart-prod-DrData`, `DrOps`, `DrApi`). When the new replica streams (its `ReplicaLag` reports and the replica-lag alarm is `OK`), enable the actions of every alarm named in `$P/replica-alarm-names`, disabled at failover (`enableReplicaAlarmActions`, lib/dr/standby-alarms.ts: it refuses while one of them is not `OK`, since an alarm armed in ALARM never pages).',
      verification:
        'every alarm named in `$P/replica-alarm-names` is `OK` with its actions enabled, and the standby is a replica of the new primary',
      rollback:
        'Disable their actions again (`aws cloudwatch disable-alarm-actions`) if the new replica has to be rebuilt once more.',
      decides: 'database owner',
      timeoutSeconds: 259_200,
      commands: [
        "ALARMS=$(aws ssm get-parameter --region $DR --name $P/replica-alarm-names --query Parameter.Value --output text | node -pe \"JSON.parse(require('fs').readFileSync(0)).join(' ')\")",
        'aws cloudwatch describe-alarms --region $DR --alarm-names $ALARMS --query "MetricAlarms[].[AlarmName,StateValue,ActionsEnabled]"   # every one OK before going on',
        'aws cloudwatch enable-alarm-actions --region $DR --alarm-names $ALARMS',
      ],
    },
  ],
  afterwards: [
    'Users created or changed in the standby user pool during the failover are not in the primary pool (identity backups run from the primary): export them from the standby pool and import them with `importIdentities` before deleting it.',
    'The admin secret: if it was promoted and rotated in drRegion, put its current value into the primary secret before the next rotation there.',
    '`Rampart-prod-Data` still owns the old instance and the proxy target: bring the stack in line before its next deploy, as after a point-in-time restore (restore-point-in-time.md); keep the old primary until the review is closed, then delete it.',
  ],
});
