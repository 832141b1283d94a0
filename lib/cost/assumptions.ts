/**
 * What the cost model assumes where a template and the traffic profile do not say (docs/cost.md
 * lists them with their effect). Each is a single constant so that a reader can find, question
 * and change it in one place.
 */
export const ASSUMPTIONS = {
  /** Mean billed duration of one run of a scheduled function (outbox relay, watches, cleanup), ms. */
  scheduledRunMs: 1000,
  /** CloudWatch Logs stores logs compressed; stored size as a share of the ingested size. */
  logCompressionRatio: 0.15,
  /** Months a log group without a retention keeps what it holds, for the steady state (10 years). */
  unlimitedRetentionMonths: 120,
  /** Share of the database's allocated storage that changes in a day (incremental snapshots and copies). */
  dailyChangeRatio: 0.01,
  /** Evaluations of each Backup Audit Manager control a day (each evaluates its database and plan). */
  auditEvaluationsPerControlPerDay: 1,
  /** Hours a restore test's temporary instance runs before AWS Backup deletes it. */
  restoreTestHours: 1,
  /** Size of one enhanced-monitoring sample written to CloudWatch Logs (RDSOSMetrics), KiB. */
  enhancedMonitoringSampleKiB: 2,
  /** Concurrent long polls Lambda keeps on an SQS event source while the queue is empty (20 s each). */
  idleSqsPollers: 5,
  /** Size of one CloudFront standard access log line as stored (gzip), KiB. */
  accessLogKiBPerRequest: 0.1,
  /** Custom metrics each function with a Powertools metrics namespace publishes (cold start, pool and domain metrics). */
  powertoolsMetricsPerFunction: 3,
  /** X-Ray's default sampling: the first request each second, then this share of the rest. */
  xrayReservoirPerSecond: 1,
  xraySampledRatio: 0.05,
} as const;

/** Days in a month, as `HOURS_PER_MONTH / 24`. */
export const DAYS_PER_MONTH = 730 / 24;
