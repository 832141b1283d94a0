import { defineScenario } from '../definition';

/**
 * The primary PostgreSQL server is gone; a streaming standby beside it takes over. On AWS, RDS
 * does this itself (Multi-AZ: az-failover; the DR region's replica: region-failover); this
 * scenario rehearses the same moves by hand on real servers (`npm run drill -- --local`).
 */
export const primaryLoss = defineScenario({
  name: 'primary-loss',
  title: 'Lose the primary database server; promote the streaming standby',
  useWhen:
    'The primary PostgreSQL server is dead or unreachable and will not be back soon, and a streaming standby of it exists. ' +
    'Rehearsed on this machine with real servers (`npm run drill -- --local --scenario primary-loss`); ' +
    'on AWS the same moves are made by RDS (see az-failover.md and region-failover.md).',
  failureKind: 'azLoss',
  variables: [
    { name: 'PRIMARY', value: 'host=<primary> port=5432', meaning: 'the lost primary' },
    { name: 'STANDBY', value: 'host=<standby> port=5432', meaning: 'the streaming standby' },
  ],
  steps: [
    {
      id: 'check-standby-in-sync',
      phase: 'prepare',
      title: 'Check the standby streams from the primary and is caught up',
      action: "Read the primary's replication status for the standby.",
      verification: 'the standby is `streaming` and its replay position is within 1 s of the primary',
      rollback: 'Nothing to undo. If the standby is not in sync, stop: promoting it would lose data.',
      decides: 'database owner',
      timeoutSeconds: 15,
      commands: [`psql "$PRIMARY" -c "SELECT application_name, state, replay_lag FROM pg_stat_replication"`],
    },
    {
      id: 'kill-primary',
      phase: 'fault',
      title: 'Kill the primary server (drill only)',
      action: 'Send SIGKILL to the primary postmaster: no shutdown checkpoint, connections drop.',
      verification: 'the primary process is gone',
      rollback: 'Start the primary again from its data directory (crash recovery brings it back).',
      decides: 'drill lead',
      timeoutSeconds: 10,
    },
    {
      id: 'confirm-primary-lost',
      phase: 'recover',
      title: 'Confirm the primary is lost and fence it',
      action:
        'Try to connect to the primary. In an incident, make sure it cannot come back as a second primary: stop it, or take it out of the proxy and security group.',
      verification: 'the primary refuses connections',
      rollback: 'If the primary answers after all, stop here and investigate instead of promoting.',
      decides: 'incident commander',
      timeoutSeconds: 10,
      commands: [`pg_isready -d "$PRIMARY" || echo "primary lost"`],
    },
    {
      id: 'promote-standby',
      phase: 'recover',
      title: 'Promote the standby',
      action: 'Run pg_promote() on the standby and wait for it to leave recovery.',
      verification: 'the standby is out of recovery (`pg_is_in_recovery()` is false) and accepts writes',
      rollback:
        'A promoted standby cannot be demoted: to go back, rebuild the old primary as a standby of it from a fresh base backup.',
      decides: 'database owner',
      timeoutSeconds: 20,
      commands: [
        `psql "$STANDBY" -c "SELECT pg_promote(true, 60)"`,
        `psql "$STANDBY" -c "SELECT pg_is_in_recovery()"   # f`,
      ],
    },
    {
      id: 'repoint-proxy',
      phase: 'recover',
      title: 'Point the connection proxy at the promoted standby',
      action:
        'Switch the proxy in front of the database to the promoted server; existing connections are dropped.',
      verification: 'a new connection through the proxy lands on the promoted server, out of recovery',
      rollback:
        'Point the proxy back at the old primary (only if it was never fenced and the standby took no writes).',
      decides: 'on-call engineer',
      timeoutSeconds: 10,
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify the API writes and reads again',
      action: 'Write and read a heartbeat through the API with the machine credential.',
      verification: 'a heartbeat is acknowledged and read back through the API',
      rollback:
        'If the API still fails, check the proxy target and the application pool (restart the service).',
      decides: 'incident commander',
      timeoutSeconds: 20,
    },
  ],
  afterwards: [
    'Build a new standby of the promoted server (base backup + `standby.signal`) so the next loss is covered.',
    "Keep the old primary's data directory until the incident review is closed.",
  ],
});
