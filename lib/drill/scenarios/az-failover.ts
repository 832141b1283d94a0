import { defineScenario } from '../definition';

/**
 * One availability zone is lost: the Multi-AZ instance fails over to its standby in the other
 * AZ and RDS Proxy follows. The drill causes it with the Ops stack's FIS experiment
 * (`aws:rds:reboot-db-instances` with `forceFailover`, docs/resilience.md).
 */
export const azFailover = defineScenario({
  name: 'az-failover',
  title: 'Fail the database over to its standby in another availability zone',
  useWhen:
    'The availability zone of the primary database is impaired (RDS events `failover`, the proxy alarms, 5xx from the API) and ' +
    'the instance did not fail over by itself, or you rehearse that it does. Needs `database.multiAz` (staging, prod).',
  failureKind: 'azLoss',
  variables: [
    { name: 'AWS_REGION', value: 'eu-west-1', meaning: "the environment's region" },
    { name: 'ENV', value: 'staging', meaning: 'environment (prod needs `--confirm prod` in the drill)' },
    {
      name: 'DB_INSTANCE',
      value:
        '$(aws cloudformation describe-stack-resource --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseInstanceAA8A5FDE --query StackResourceDetail.PhysicalResourceId --output text)',
      meaning: 'the primary instance',
    },
    {
      name: 'PROXY',
      value:
        '$(aws cloudformation describe-stack-resource --stack-name Rampart-$ENV-Data --logical-resource-id DatabaseProxyE01FC4E6 --query StackResourceDetail.PhysicalResourceId --output text)',
      meaning: 'the RDS Proxy in front of it',
    },
  ],
  steps: [
    {
      id: 'check-multi-az',
      phase: 'prepare',
      title: 'Check the instance is Multi-AZ and available',
      action: 'Describe the instance and note its current and secondary availability zones.',
      verification: 'the instance is `available`, Multi-AZ, and has a secondary availability zone',
      rollback:
        'Nothing to undo. A single-AZ instance cannot fail over: use point-in-time-restore.md instead.',
      decides: 'database owner',
      timeoutSeconds: 60,
      commands: [
        'aws rds describe-db-instances --db-instance-identifier $DB_INSTANCE --query "DBInstances[0].[DBInstanceStatus,MultiAZ,AvailabilityZone,SecondaryAvailabilityZone]"',
      ],
    },
    {
      id: 'start-az-fault',
      phase: 'fault',
      title: 'Start the FIS experiment that forces a failover (drill only)',
      action:
        "Start the Ops stack's database-failover FIS experiment (`aws:rds:reboot-db-instances` with `forceFailover`; its template id is the CloudFormation export `rampart-<env>-fis-database-failover`, docs/resilience.md).",
      verification: 'the experiment is `initiating` or `running`',
      rollback:
        'Stop the experiment (`aws fis stop-experiment --id <id>`); the reboot it started completes either way.',
      decides: 'drill lead',
      timeoutSeconds: 120,
      commands: [
        'aws fis start-experiment --experiment-template-id $(aws cloudformation list-exports --query "Exports[?Name==\'rampart-$ENV-fis-database-failover\'].Value" --output text) --tags drill=az-failover',
      ],
    },
    {
      id: 'wait-failover',
      phase: 'recover',
      title: 'Wait until the instance runs in the other availability zone',
      action:
        'Watch the instance until it is `available` in its former secondary zone. If it has not failed over by itself after 5 minutes, force it.',
      verification: 'the instance is `available` and its availability zone is the former secondary one',
      rollback: 'None needed: Multi-AZ keeps a standby in the other zone afterwards.',
      decides: 'on-call engineer',
      timeoutSeconds: 900,
      commands: [
        'aws rds wait db-instance-available --db-instance-identifier $DB_INSTANCE',
        'aws rds describe-db-instances --db-instance-identifier $DB_INSTANCE --query "DBInstances[0].AvailabilityZone"',
        '# only if it did not fail over by itself:',
        'aws rds reboot-db-instance --db-instance-identifier $DB_INSTANCE --force-failover',
      ],
    },
    {
      id: 'check-proxy-targets',
      phase: 'recover',
      title: 'Check the proxy reaches the instance again',
      action: "Read the proxy's target health.",
      verification: 'every proxy target is `AVAILABLE`',
      rollback: 'If a target stays unavailable, deregister and register it again.',
      decides: 'on-call engineer',
      timeoutSeconds: 600,
      commands: ['aws rds describe-db-proxy-targets --db-proxy-name $PROXY --query "Targets[].TargetHealth"'],
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify the API writes and reads through the public edge',
      action: 'Write and read a heartbeat through CloudFront with the machine credential.',
      verification: 'a heartbeat is acknowledged and read back through the public edge',
      rollback: 'If the API still fails, follow the proxy and Lambda alarm runbooks (runbooks/alarms/).',
      decides: 'incident commander',
      timeoutSeconds: 300,
    },
  ],
  afterwards: [
    'Note the new availability zone in the incident record; nothing needs failing back.',
    'Check the FIS experiment ended `completed` (`aws fis get-experiment --id <id>`).',
  ],
});
