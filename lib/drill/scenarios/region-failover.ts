import { defineScenario } from '../definition';

/** `$P`: where the standby stacks publish the values every region-failover and failback command reads. */
export const STANDBY_VALUES_VARIABLE = {
  name: 'P',
  value: '/rampart/$ENV/standby',
  meaning:
    'SSM path of the standby values: `aws ssm get-parameter --region $DR --name $P/<key> --query Parameter.Value --output text`',
} as const;

/**
 * The primary region is lost: the warm standby in `drRegion` takes over (prod). The replica is
 * promoted, registered with the standby's RDS Proxy, and CloudFront's API origin is switched to
 * the standby API. Every identifier comes from SSM Parameter Store in drRegion
 * (`/rampart/<env>/standby/<key>`), where the standby stacks publish them.
 */
export const regionFailover = defineScenario({
  name: 'region-failover',
  title: 'Fail over to the warm standby in the DR region',
  useWhen:
    'The primary region is unavailable for longer than the region-loss RTO allows waiting, and the environment keeps a warm ' +
    'standby in `drRegion` (`recovery.strategy: warm-standby`, prod). Environments restoring from backups (staging) follow ' +
    '[region-restore-from-backups.md](region-restore-from-backups.md) instead.',
  failureKind: 'regionLoss',
  variables: [
    { name: 'PRIMARY', value: 'eu-west-1', meaning: "the environment's (primary) region" },
    { name: 'DR', value: 'eu-west-2', meaning: 'drRegion of the environment' },
    { name: 'ENV', value: 'prod', meaning: 'environment (the drill needs `--confirm prod`)' },
    STANDBY_VALUES_VARIABLE,
  ],
  steps: [
    {
      id: 'check-replica',
      phase: 'prepare',
      title: 'Check the replica in the DR region is available and close behind',
      action: 'Describe the replica and read its `ReplicaLag` metric for the last 5 minutes.',
      verification: 'the replica is `available`, still a replica, and its lag is within the region-loss RPO',
      rollback:
        'Nothing to undo. If the lag exceeds the RPO, tell the incident commander how much data the failover loses before going on.',
      decides: 'database owner',
      timeoutSeconds: 120,
      commands: [
        'aws rds describe-db-instances --region $DR --db-instance-identifier $(aws ssm get-parameter --region $DR --name $P/replica-instance-id --query Parameter.Value --output text) --query "DBInstances[0].[DBInstanceStatus,ReadReplicaSourceDBInstanceIdentifier]"',
      ],
    },
    {
      id: 'start-region-fault',
      phase: 'fault',
      title: 'Start the FIS experiment that cuts the primary region off (drill only)',
      action:
        "Start the Ops stack's region-loss FIS experiment in the primary region: the one template tagged `rampart:drill=region-failover` and `rampart:environment=<env>` (also the CloudFormation export `rampart-<env>-fis-region-loss`, docs/resilience.md). It denies all traffic in and out of every function and data subnet in every AZ (functions, RDS Proxy, database, its replication) for twice the region-loss RTO, deleting nothing, and stops early if the API is still failing after the whole RTO (traffic never moved).",
      verification: 'the experiment is `initiating` or `running`',
      rollback:
        "Stop the experiment (`aws fis stop-experiment --region $PRIMARY --id <id>`): FIS puts the subnets' own network ACLs back and the primary serves again.",
      decides: 'drill lead',
      timeoutSeconds: 120,
      commands: [
        'TEMPLATE=$(aws fis list-experiment-templates --region $PRIMARY --query "experimentTemplates[?tags.\\"rampart:drill\\"==\'region-failover\' && tags.\\"rampart:environment\\"==\'$ENV\'].id" --output text)',
        'aws fis start-experiment --region $PRIMARY --experiment-template-id $TEMPLATE --tags drill=region-failover',
      ],
    },
    {
      id: 'promote-replica',
      phase: 'recover',
      title: 'Promote the replica to a standalone instance',
      action:
        "First make sure the primary is lost or fenced (promotion ends replication for good; if it is reachable, stop its API). Then promote the replica with the primary's backup retention and window (`promoteStandby`, lib/dr/standby-database.ts) and wait until it is available and no longer a replica.",
      verification: 'the former replica is `available` and has no replication source',
      rollback:
        'A promotion cannot be undone. To fail back, create a replica of it in the primary region and repeat this runbook in reverse.',
      decides: 'incident commander',
      timeoutSeconds: 1800,
      commands: [
        'REPLICA=$(aws ssm get-parameter --region $DR --name $P/replica-instance-id --query Parameter.Value --output text)',
        'aws rds promote-read-replica --region $DR --db-instance-identifier $REPLICA --backup-retention-period $(aws ssm get-parameter --region $DR --name $P/backup-retention-days --query Parameter.Value --output text) --preferred-backup-window $(aws ssm get-parameter --region $DR --name $P/backup-window --query Parameter.Value --output text)',
        'aws rds wait db-instance-available --region $DR --db-instance-identifier $REPLICA',
      ],
    },
    {
      id: 'silence-replica-alarms',
      phase: 'recover',
      title: "Disable the actions of the standby's replica-only alarms",
      action:
        "The promoted instance reports no `ReplicaLag` any more, and the replica-lag alarm treats missing data as breaching: disable the actions of every alarm named in `$P/replica-alarm-names` (`disableReplicaAlarmActions`, lib/dr/standby-alarms.ts) so it does not page during the failover. The alarms keep evaluating; the promoted instance's other alarms (CPU, memory, storage, connections) stay armed and now watch the new primary.",
      verification: 'every alarm named in `$P/replica-alarm-names` has its actions disabled',
      rollback:
        'Nothing to undo while the instance stays promoted; the failback enables them again once a standby replica streams (region-failback.md, `rearm-replica-alarms`).',
      decides: 'on-call engineer',
      timeoutSeconds: 120,
      commands: [
        "aws cloudwatch disable-alarm-actions --region $DR --alarm-names $(aws ssm get-parameter --region $DR --name $P/replica-alarm-names --query Parameter.Value --output text | node -pe \"JSON.parse(require('fs').readFileSync(0)).join(' ')\")",
      ],
    },
    {
      id: 'register-standby-proxy',
      phase: 'recover',
      title: "Register the promoted instance with the standby's RDS Proxy",
      action:
        "Register the instance in the standby proxy's target group and wait until the target is available.",
      verification: "the standby proxy's target is the promoted instance and `AVAILABLE`",
      rollback: 'Deregister it (`aws rds deregister-db-proxy-targets`).',
      decides: 'on-call engineer',
      timeoutSeconds: 900,
      commands: [
        'aws rds register-db-proxy-targets --region $DR --db-proxy-name $(aws ssm get-parameter --region $DR --name $P/proxy-name --query Parameter.Value --output text) --target-group-name $(aws ssm get-parameter --region $DR --name $P/proxy-target-group --query Parameter.Value --output text) --db-instance-identifiers $REPLICA',
      ],
    },
    {
      id: 'enable-schedules',
      phase: 'recover',
      title: "Enable the standby's scheduled functions",
      action:
        'Enable every EventBridge rule named in `$P/schedule-rule-names` (outbox relay, API key clean-up): they stay disabled while the standby idles.',
      verification: 'every rule is `ENABLED`',
      rollback: 'Disable them again (`aws events disable-rule`).',
      decides: 'on-call engineer',
      timeoutSeconds: 120,
      commands: [
        "for rule in $(aws ssm get-parameter --region $DR --name $P/schedule-rule-names --query Parameter.Value --output text | node -pe \"JSON.parse(require('fs').readFileSync(0)).join(' ')\"); do aws events enable-rule --region $DR --name $rule; done",
      ],
    },
    {
      id: 'recreate-api-keys',
      phase: 'recover',
      title: "Recreate the API Gateway keys in the standby's usage plans",
      action:
        'Invoke the API key recreation function once: it recreates the gateway keys from the database (idempotent).',
      verification: 'the function answers `{ created, existing, repointed }` without a function error',
      rollback: 'Nothing to undo: keys of the standby gateway are only used once traffic moves.',
      decides: 'on-call engineer',
      timeoutSeconds: 300,
      commands: [
        'aws lambda invoke --region $DR --function-name $(aws ssm get-parameter --region $DR --name $P/api-key-recreation-function --query Parameter.Value --output text) /dev/stdout',
      ],
    },
    {
      id: 'switch-traffic',
      phase: 'recover',
      title: "Switch CloudFront's API origin to the standby API",
      action:
        "Make the standby web ACL accept the origin-verify value CloudFront sends, then move the distribution's API origin (host and `/<stage>` path) from the primary API to the standby API with one UpdateDistribution, and wait until it is deployed (`switchTrafficToStandby`, lib/dr/traffic-switch.ts). Origin groups fail over GET/HEAD/OPTIONS only; writes need this switch.",
      verification: 'the distribution is `Deployed` and its API origin is the standby API',
      rollback: 'Put the primary origin domain back the same way.',
      decides: 'incident commander',
      timeoutSeconds: 1800,
      commands: [
        'DIST=$(aws ssm get-parameter --region $DR --name $P/distribution-id --query Parameter.Value --output text)',
        'aws cloudfront get-distribution-config --id $DIST > dist.json   # note ETag; edit Origins: primary-origin-domain -> api-origin-domain',
        'aws cloudfront update-distribution --id $DIST --if-match <ETag> --distribution-config file://config-only.json',
        'aws cloudfront wait distribution-deployed --id $DIST',
      ],
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify the API writes and reads through the public edge',
      action: 'Write and read a heartbeat through CloudFront with the machine credential.',
      verification: 'a heartbeat is acknowledged and read back through the public edge',
      rollback:
        'Switch the origin back if the primary region is healthy again; otherwise follow the standby API alarms.',
      decides: 'incident commander',
      timeoutSeconds: 600,
    },
    {
      id: 'enable-multi-az',
      phase: 'recover',
      title: 'Make the promoted instance Multi-AZ and deletion-protected',
      action:
        'Modify the promoted instance: Multi-AZ and deletion protection, applied immediately (runs in the background).',
      verification: 'Multi-AZ and deletion protection are on or pending',
      rollback: 'Nothing to undo.',
      decides: 'database owner',
      timeoutSeconds: 300,
      commands: [
        'aws rds modify-db-instance --region $DR --db-instance-identifier $REPLICA --multi-az --deletion-protection --apply-immediately',
      ],
    },
  ],
  afterwards: [
    'Import the newest identity backup into the standby user pool, promote the admin secret replica and add its rotation (docs/dr.md, "Failover").',
    'Keep every resource of the primary region until the incident review is closed; fail back with this runbook in reverse.',
  ],
});
