import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { EVENT_ALERTS, RDS_EVENT_SUBSCRIPTIONS } from '../../../lambda/domain/notify/event-alerts';
import { GATEWAY_METHODS as ROUTES } from '../../../lambda/routes';
import {
  ALARM_SEVERITIES,
  loadEnvironmentConfig,
  type AlarmSeverity,
  type EnvironmentConfig,
  type EnvironmentName,
} from '../../../lib/config';
import type { RampartEnvironment } from '../../../lib/rampart-app';
import { GLOBAL_REGION } from '../../../lib/stacks/ops-global-stack';
import { synthEnvironments, type SynthesizedEnvironment } from '../../support/synth';

export const RUNBOOK_DIR = join(__dirname, '..', '..', '..', 'runbooks', 'alarms');

/** Sections every alarm runbook must have, as `##` headings, in this order. */
export const REQUIRED_SECTIONS = [
  'What it means',
  'Impact and severity',
  'Dashboards and queries',
  'Diagnosis',
  'Mitigation',
  'Verification',
  'Escalation',
  'Related alarms',
  'Last reviewed',
] as const;

/** Resource types that must each be watched by at least one alarm. */
export const WATCHED_TYPES = [
  'AWS::Lambda::Function',
  'AWS::SQS::Queue',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBProxy',
  'AWS::ApiGateway::Stage',
  'AWS::WAFv2::WebACL',
  'AWS::CloudFront::Distribution',
] as const;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AlarmResource {
  readonly stack: Stack;
  readonly part: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
  readonly name: string;
  readonly description: string;
}

export interface TemplateSet {
  readonly env: SynthesizedEnvironment;
  /** Template JSON by stack name. */
  readonly templates: Map<string, { part: string; stack: Stack; json: Json }>;
  readonly alarms: AlarmResource[];
}

/** The standby's stacks in drRegion (lib/rampart-app.ts `addStandby`). */
export const STANDBY_PARTS: readonly (keyof RampartEnvironment)[] = [
  'drNetwork',
  'drData',
  'drOps',
  'drAuth',
  'drApi',
];

/** drRegion stacks with alarm tests of their own: the standby's and the DR vault restore tests (dr-restore.suite.ts). */
const OWN_ALARM_TESTS: readonly (keyof RampartEnvironment)[] = [...STANDBY_PARTS, 'drRestore'];

/** Runbooks of the standby's alarms (DrOps), asserted in dr-standby.suite.ts. */
export const STANDBY_RUNBOOKS: Readonly<Record<string, (config: EnvironmentConfig) => boolean>> = {
  'dr-replica-lag': (config) => config.recovery.strategy !== 'backup-restore',
};

export function synthOps(name: EnvironmentName): TemplateSet {
  const env = synthEnvironments([name])[name];
  const templates = new Map<string, { part: string; stack: Stack; json: Json }>();
  for (const [part, stack] of Object.entries(env.stacks) as [keyof RampartEnvironment, Stack | undefined][]) {
    // The standby in drRegion has its own alarm tests (dr-standby.suite.ts).
    if (!stack || OWN_ALARM_TESTS.includes(part)) continue;
    templates.set(stack.stackName, { part, stack, json: env.template(part).toJSON() });
  }
  const alarms: AlarmResource[] = [];
  for (const { part, stack, json } of templates.values()) {
    for (const [logicalId, resource] of Object.entries(json.Resources ?? {}) as [string, Json][]) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm' && resource.Type !== 'AWS::CloudWatch::CompositeAlarm')
        continue;
      alarms.push({
        stack,
        part,
        logicalId,
        type: resource.Type,
        properties: resource.Properties,
        name: resource.Properties.AlarmName,
        description: resource.Properties.AlarmDescription,
      });
    }
  }
  return { env, templates, alarms };
}

export function severityOf(alarm: AlarmResource): AlarmSeverity | undefined {
  const match = /^Severity: (critical|warning|info)\. /.exec(alarm.description);
  return match?.[1] as AlarmSeverity | undefined;
}

export function runbookUrlOf(alarm: AlarmResource): string | undefined {
  return / Runbook: (https:\/\/\S+)$/.exec(alarm.description)?.[1];
}

/** `##` headings of a markdown file, fenced code excluded. */
export function headings(markdown: string): string[] {
  const result: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && line.startsWith('## ')) result.push(line.slice(3).trim());
  }
  return result;
}

/** The text of one `##` section. */
export function section(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  let fenced = false;
  const end = rest.findIndex((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && line.startsWith('## ');
  });
  return rest.slice(0, end < 0 ? undefined : end).join('\n');
}

export function runbookFiles(): string[] {
  return existsSync(RUNBOOK_DIR)
    ? readdirSync(RUNBOOK_DIR)
        .filter((file) => file.endsWith('.md'))
        .map((file) => file.slice(0, -3))
    : [];
}

export function readRunbook(id: string): string {
  return readFileSync(join(RUNBOOK_DIR, `${id}.md`), 'utf8');
}

/** Runbook ids used by event alerts (EventBridge rules and RDS event subscriptions, rendered by the notifier). */
export const EVENT_RUNBOOKS = [...EVENT_ALERTS.map((alert) => alert.id), RDS_EVENT_SUBSCRIPTIONS.id];

/** A reference resolved to the resource it names: `<stackName>/<logicalId>`, or a literal. */
export type Resolved = { readonly ref: string } | { readonly literal: string };

/**
 * Follows `Ref`, `Fn::GetAtt` and cross-stack `Fn::GetStackOutput` / `Fn::ImportValue` to the
 * resource a dimension value names.
 */
export function resolver(set: TemplateSet): (value: unknown, stackName: string) => Resolved | undefined {
  const exportsByName = new Map<string, { stackName: string; value: unknown }>();
  for (const [stackName, { json }] of set.templates) {
    for (const output of Object.values(json.Outputs ?? {}) as Json[]) {
      if (typeof output.Export?.Name === 'string')
        exportsByName.set(output.Export.Name, { stackName, value: output.Value });
    }
  }
  const resolve = (value: unknown, stackName: string): Resolved | undefined => {
    if (typeof value === 'string') return { literal: value };
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Json;
    if (typeof v.Ref === 'string') return { ref: `${stackName}/${v.Ref}` };
    if (Array.isArray(v['Fn::GetAtt'])) return { ref: `${stackName}/${v['Fn::GetAtt'][0]}` };
    if (v['Fn::GetStackOutput']) {
      const { StackName, OutputName } = v['Fn::GetStackOutput'] as { StackName: string; OutputName: string };
      const output = set.templates.get(StackName)?.json.Outputs?.[OutputName];
      return output ? resolve(output.Value, StackName) : undefined;
    }
    if (typeof v['Fn::ImportValue'] === 'string') {
      const exported = exportsByName.get(v['Fn::ImportValue']);
      return exported ? resolve(exported.value, exported.stackName) : undefined;
    }
    return undefined;
  };
  return resolve;
}

/** Every dimension of an alarm (single metric or metric math), as name -> resolved value. */
export function dimensionsOf(alarm: AlarmResource): { name: string; value: unknown }[] {
  const own = (alarm.properties.Dimensions ?? []) as { Name: string; Value: unknown }[];
  const math = ((alarm.properties.Metrics ?? []) as Json[]).flatMap(
    (m) => (m.MetricStat?.Metric?.Dimensions ?? []) as { Name: string; Value: unknown }[],
  );
  return [...own, ...math].map((d) => ({ name: d.Name, value: d.Value }));
}

export function namespacesOf(alarm: AlarmResource): string[] {
  const own = alarm.properties.Namespace ? [alarm.properties.Namespace as string] : [];
  const math = ((alarm.properties.Metrics ?? []) as Json[])
    .map((m) => m.MetricStat?.Metric?.Namespace as string | undefined)
    .filter((n): n is string => n !== undefined);
  return [...own, ...math];
}

/**
 * Functions invoked only by CloudFormation during a deployment (custom resource providers,
 * CDK triggers, and the handlers a CDK provider framework function invokes for them): a failure
 * fails the deployment in front of the deployer, so they carry no alarms.
 */
export function deployTimeFunctions(json: Json): Set<string> {
  const resources = json.Resources as Record<string, Json>;
  const functionOf = (value: unknown): string | undefined => {
    const v = value as Json | undefined;
    const id = v?.Ref ?? (Array.isArray(v?.['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined);
    if (typeof id !== 'string') return undefined;
    const target = resources[id];
    if (target?.Type === 'AWS::Lambda::Version') return functionOf(target.Properties.FunctionName);
    return target?.Type === 'AWS::Lambda::Function' ? id : undefined;
  };
  const result = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (!/^(Custom::|AWS::CloudFormation::CustomResource$)/.test(resource.Type)) continue;
    for (const key of ['ServiceToken', 'HandlerArn']) {
      const fn = functionOf(resource.Properties?.[key]);
      if (fn) result.add(fn);
    }
  }
  // CDK's provider framework (custom-resources Provider) names the user handlers it invokes in these variables.
  for (const id of [...result]) {
    const variables = (resources[id].Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const key of ['USER_ON_EVENT_FUNCTION_ARN', 'USER_IS_COMPLETE_FUNCTION_ARN']) {
      const fn = functionOf(variables[key]);
      if (fn) result.add(fn);
    }
  }
  return result;
}

/** Resources of the watched types that no alarm's dimensions point at. */
export function coverage(
  set: TemplateSet,
  alarms: readonly AlarmResource[],
): { unwatched: string[]; counted: Record<string, number> } {
  const resolve = resolver(set);
  const watchedRefs = new Set<string>();
  const literals = new Map<string, Set<string>>();
  for (const alarm of alarms) {
    for (const { name: dimension, value } of dimensionsOf(alarm)) {
      const resolved = resolve(value, alarm.stack.stackName);
      if (!resolved) continue;
      if ('ref' in resolved) watchedRefs.add(resolved.ref);
      else literals.set(dimension, (literals.get(dimension) ?? new Set()).add(resolved.literal));
    }
  }
  const unwatched: string[] = [];
  const counted: Record<string, number> = {};
  for (const [stackName, { json }] of set.templates) {
    const deployTime = deployTimeFunctions(json);
    for (const [id, resource] of Object.entries(json.Resources as Record<string, Json>)) {
      if (!(WATCHED_TYPES as readonly string[]).includes(resource.Type)) continue;
      if (resource.Type === 'AWS::Lambda::Function' && deployTime.has(id)) continue;
      counted[resource.Type] = (counted[resource.Type] ?? 0) + 1;
      const byRef = watchedRefs.has(`${stackName}/${id}`);
      const byName =
        (resource.Type === 'AWS::WAFv2::WebACL' &&
          literals.get('WebACL')?.has(resource.Properties.VisibilityConfig.MetricName)) ||
        // The standby's proxy has a fixed name, which its alarms use.
        (resource.Type === 'AWS::RDS::DBProxy' &&
          literals.get('ProxyName')?.has(resource.Properties.DBProxyName));
      if (!byRef && !byName) unwatched.push(`${stackName} ${resource.Type} ${id}`);
    }
  }
  return { unwatched, counted };
}

/** Alarm counts of one environment, by stack and by severity. */
export interface AlarmCounts {
  readonly total: number;
  readonly ops: number;
  readonly opsGlobal: number;
  readonly warning: number;
  readonly info: number;
  readonly critical: number;
}

/**
 * What each environment must have, written out (docs/alerting.md states the same numbers, and
 * the catalogue below adds up to them): a change in the count is a change on purpose, in the docs
 * too.
 */
export const EXPECTED_ALARMS: Record<EnvironmentName, AlarmCounts> = {
  dev: { total: 222, ops: 217, opsGlobal: 5, warning: 206, info: 9, critical: 7 },
  // Six more: SES bounce and complaint rates (the pool sends through SES there), high-risk sign-ins
  // (threat protection), DR copies and replicated backups (critical), the custom domain's
  // certificate (us-east-1). Staging is shaped like prod (docs/environments.md).
  // Three more with restore testing: restore duration over the RTO, restored point older than the
  // RPO, a restored database that failed validation; one more with a recovered region loss: the
  // identity backup older than its RPO (all warning).
  // Three more in us-east-1 everywhere: the global topics' failed notifications (one critical).
  // One more where a region loss is recovered: the region-loss FIS experiment's stop condition (info).
  staging: { total: 233, ops: 227, opsGlobal: 6, warning: 214, info: 10, critical: 9 },
  prod: { total: 233, ops: 227, opsGlobal: 6, warning: 214, info: 10, critical: 9 },
};

/** Environments whose user pool sends through SES (`auth.email`): two SES alarms each. */
const SES_ENVIRONMENTS: readonly EnvironmentName[] = ['staging', 'prod'];
/** Runbooks of the SES alarms: unused (but not stale) in the other environments. */
const SES_RUNBOOKS: readonly string[] = ['ses-bounce-rate', 'ses-complaint-rate'];

/**
 * Runbooks of alarms only some environments have, with the config that turns the alarm on: an
 * environment without the feature has the runbook and not the alarm, and only then.
 */
export const CONFIG_DEPENDENT_RUNBOOKS: Readonly<Record<string, (config: EnvironmentConfig) => boolean>> = {
  'auth-high-risk-sign-ins': (config) => config.auth.plusFeatures,
  'backup-replication-lag': (config) => config.database.replicateBackupsToDrRegion,
  'certificate-expiry': (config) => config.edge.domain !== undefined,
  'dr-copy-missing': (config) => config.backup.copyToDrRegion,
  'identity-backup-missing': (config) => config.recovery.regionLoss !== undefined,
  'restore-test-duration': (config) => config.backup.restoreTesting,
  'restore-test-point-age': (config) => config.backup.restoreTesting,
  'restore-validation-failed': (config) => config.backup.restoreTesting,
};

/** Functions with component alarms: one per route, plus these ten. */
const NON_ROUTE_FUNCTIONS = [
  'authorizer',
  'worker',
  'outbox relay',
  'API key cleanup',
  'API key recreation (failback)',
  'origin-verify rotation',
  'login client secret rotation',
  'notifier',
  'rotation-age checker',
  'database watch',
];
const ALARMED_FUNCTIONS = ROUTES.length + NON_ROUTE_FUNCTIONS.length;
/**
 * Functions reserved at >= 2 (a concurrency alarm each): the route functions and the authorizer
 * (the capacity model reserves at least 2 each), the worker and the notifier; the outbox relay, key
 * cleanup, origin-verify rotation, login client secret rotation, rotation-age checker and
 * database watch are reserved at 1.
 */
const RESERVED_FUNCTIONS = ROUTES.length + 3;

/**
 * The alarm catalogue of docs/alerting.md, row by row: which alarm names (without
 * `rampart-<env>-`) belong to the row, and how many the row's rule yields.
 */
export function catalogue(name: EnvironmentName): readonly { row: string; pattern: RegExp; count: number }[] {
  const config = loadEnvironmentConfig(name);
  return [
    ...CATALOGUE,
    {
      row: 'user pool mail (SES): bounce and complaint rates',
      pattern: /^ses-(bounce|complaint)-rate$/,
      count: SES_ENVIRONMENTS.includes(name) ? 2 : 0,
    },
    {
      row: 'database watch: no backup in 26 h, pending maintenance; DR copy and replication where configured',
      pattern: /^(backup-missing|dr-copy-missing|backup-replication-lag|db-pending-maintenance)$/,
      count: 2 + Number(config.backup.copyToDrRegion) + Number(config.database.replicateBackupsToDrRegion),
    },
    {
      row: 'user pool: throttled requests; high-risk sign-ins with threat protection',
      pattern: /^auth-(throttled-requests|high-risk-sign-ins)$/,
      count: 1 + Number(config.auth.plusFeatures),
    },
    {
      row: 'restore tests (backup.restoreTesting): duration over the RTO, restored point older than the RPO, validation failed',
      pattern: /^restore-test-(duration|point-age|validation-failed)$/,
      count: config.backup.restoreTesting ? 3 : 0,
    },
    {
      row: 'identity backup (recovery.regionLoss): no backup in drRegion within the identity RPO',
      pattern: /^identity-backup-missing$/,
      count: config.recovery.regionLoss ? 1 : 0,
    },
    {
      row: 'region-loss fault (recovery.regionLoss): the API failing for the whole RTO, stop condition of the FIS region loss',
      pattern: /^region-fault-overrun$/,
      count: config.recovery.regionLoss ? 1 : 0,
    },
    {
      row: 'custom domain certificate (us-east-1)',
      pattern: /^edge-certificate-days-to-expiry$/,
      count: config.edge.domain ? 1 : 0,
    },
  ];
}

/** The rows every environment has (`catalogue(name)` adds the environment-specific ones). */
export const CATALOGUE: readonly { row: string; pattern: RegExp; count: number }[] = [
  {
    row: 'functions: errors, throttles, duration, concurrency',
    pattern: /-(errors|throttles|duration-near-timeout|concurrency-near-limit)$/,
    count: 3 * ALARMED_FUNCTIONS + RESERVED_FUNCTIONS,
  },
  { row: 'API stage: 5XX and 4XX rate', pattern: /^api-[45]xx-rate$/, count: 2 },
  { row: 'routes: p90 and p99 latency', pattern: /-p(90|99)-latency$/, count: 2 * ROUTES.length },
  {
    row: 'work queue, DLQ, notifier DLQ',
    pattern: /^(work-queue-oldest-message-age|(work|notifier)-dlq-(messages|oldest-message-age))$/,
    count: 5,
  },
  {
    row: 'RDS instance',
    pattern: /^db-(cpu|freeable-memory|free-storage|connections|read-latency|write-latency|load)$/,
    count: 7,
  },
  {
    row: 'RDS Proxy',
    pattern: /^db-proxy-(borrow-latency|connections|auth-failures|pinned-sessions|availability)$/,
    count: 5,
  },
  { row: 'regional and edge web ACLs', pattern: /^(api|edge)-waf-blocked-spike$/, count: 2 },
  { row: 'CloudFront distribution', pattern: /^cdn-5xx-rate$/, count: 1 },
  {
    row: 'alarm topics (regional)',
    pattern: /^topic-(critical|warning|info)-notifications-failed$/,
    count: 3,
  },
  {
    row: 'alarm topics (us-east-1; the info one carries the cost alerts)',
    pattern: /^global-topic-(critical|warning|info)-notifications-failed$/,
    count: 3,
  },
  {
    row: 'rotated secrets',
    pattern: /^secret-(database-admin|origin-verify|login-client)-rotation-overdue$/,
    count: 3,
  },
  { row: 'maintenance mode', pattern: /^ops-maintenance-mode$/, count: 1 },
  {
    row: 'SLOs: 2 composites of 4 window alarms each',
    pattern: /^slo-(availability|latency)-burn-(rate|fast-1h|fast-5m|slow-6h|slow-30m)$/,
    count: 10,
  },
];

export function alarmCounts(alarms: readonly AlarmResource[]): AlarmCounts {
  const count = (predicate: (alarm: AlarmResource) => boolean) => alarms.filter(predicate).length;
  return {
    total: alarms.length,
    ops: count((alarm) => alarm.part === 'ops'),
    opsGlobal: count((alarm) => alarm.part === 'opsGlobal'),
    warning: count((alarm) => severityOf(alarm) === 'warning'),
    info: count((alarm) => severityOf(alarm) === 'info'),
    critical: count((alarm) => severityOf(alarm) === 'critical'),
  };
}

/** The counts docs/alerting.md states for an environment ("**<env>: N alarms** (...)"). */
export function documentedAlarmCounts(name: EnvironmentName): AlarmCounts | undefined {
  const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'alerting.md'), 'utf8').replace(
    /\s+/g,
    ' ',
  );
  const match = new RegExp(
    `\\*\\*${name}: (\\d+) alarms\\*\\* \\((\\d+) in Ops, (\\d+) in OpsGlobal\\): (\\d+) warning, (\\d+) info, (\\d+) critical`,
  ).exec(docs);
  if (match === null) return undefined;
  const [total, ops, opsGlobal, warning, info, critical] = match.slice(1).map(Number);
  return { total, ops, opsGlobal, warning, info, critical };
}

/** The catalogue tests of one environment (one synth per test file keeps each file under 10 s). */
export function opsEnvironmentTests(name: EnvironmentName): void {
  let set: TemplateSet;
  beforeAll(() => {
    set = synthOps(name);
  });

  const topicRefs = (part: 'ops' | 'opsGlobal') => {
    const stack = set.env.stacks[part];
    return Object.fromEntries(
      ALARM_SEVERITIES.map((severity) => [severity, stack.resolve(stack.topics.topics[severity].topicArn)]),
    ) as Record<AlarmSeverity, unknown>;
  };

  test('the catalogue: exactly the alarms of each component, as many as docs/alerting.md states', () => {
    const short = (alarm: AlarmResource) => alarm.name.replace(`rampart-${name}-`, '');
    const perRow = new Map<string, string[]>();
    const rowsOfEnvironment = catalogue(name);
    for (const alarm of set.alarms) {
      const rows = rowsOfEnvironment.filter((row) => row.pattern.test(short(alarm))).map((row) => row.row);
      // Every alarm belongs to exactly one row of the catalogue.
      expect({ alarm: alarm.name, rows }).toEqual({ alarm: alarm.name, rows: [expect.any(String)] });
      perRow.set(rows[0], [...(perRow.get(rows[0]) ?? []), alarm.name]);
    }
    expect(
      Object.fromEntries(rowsOfEnvironment.map((row) => [row.row, perRow.get(row.row)?.length ?? 0])),
    ).toEqual(Object.fromEntries(rowsOfEnvironment.map((row) => [row.row, row.count])));

    const counts = alarmCounts(set.alarms);
    expect(counts).toEqual(EXPECTED_ALARMS[name]);
    expect(counts.total).toBe(rowsOfEnvironment.reduce((sum, row) => sum + row.count, 0));
    expect(documentedAlarmCounts(name)).toEqual(counts);
  });

  test('the dashboard graphs the daily calls of each deprecated route, sunset in the title', () => {
    const ops = [...set.templates.values()].find((template) => template.part === 'ops')!.json;
    const dashboards = Object.values(ops.Resources as Record<string, Json>).filter(
      (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of strings and references (API name, stage, region): references become "<ref>".
    const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('')) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const deprecated = body.widgets.filter((widget) => /: sunset /.test(widget.properties.title ?? ''));
    // ApiName is the REST API's name, the dimension API Gateway publishes its per-method metrics under.
    expect(deprecated.map((widget) => widget.properties)).toEqual([
      {
        title: 'GET /api/v1/whoami: sunset 2027-06-30',
        view: 'timeSeries',
        region: '<ref>',
        yAxis: {},
        metrics: [
          [
            'AWS/ApiGateway',
            'Count',
            'ApiName',
            `rampart-${name}`,
            'Method',
            'GET',
            'Resource',
            '/api/v1/whoami',
            'Stage',
            '<ref>',
            { label: 'GET /api/v1/whoami Sum', stat: 'Sum', period: 86_400 },
          ],
        ],
      },
    ]);
  });

  test('every alarm notifies exactly the topic of its severity, on ALARM and on OK', () => {
    for (const alarm of set.alarms) {
      const severity = severityOf(alarm);
      expect({ alarm: alarm.name, severity }).toEqual({
        alarm: alarm.name,
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      const expected = [topicRefs(alarm.part as 'ops' | 'opsGlobal')[severity!]];
      expect({ alarm: alarm.name, actions: alarm.properties.AlarmActions }).toEqual({
        alarm: alarm.name,
        actions: expected,
      });
      expect({ alarm: alarm.name, ok: alarm.properties.OKActions }).toEqual({
        alarm: alarm.name,
        ok: expected,
      });
      expect(alarm.properties.ActionsEnabled ?? true).toBe(true);
    }
  });

  test('names are <app>-<env>-<component>-<signal>, unique, and metric alarms set missing data and M of N', () => {
    const names = set.alarms.map((alarm) => alarm.name);
    expect(new Set(names).size).toBe(names.length);
    for (const alarm of set.alarms) {
      expect(alarm.name).toMatch(new RegExp(`^rampart-${name}-[a-z0-9]+(-[a-z0-9]+)+$`));
      if (alarm.type !== 'AWS::CloudWatch::Alarm') continue;
      expect({ alarm: alarm.name, missing: alarm.properties.TreatMissingData }).toEqual({
        alarm: alarm.name,
        missing: expect.stringMatching(/^(breaching|notBreaching|ignore|missing)$/),
      });
      expect(alarm.properties.EvaluationPeriods).toBeGreaterThanOrEqual(1);
      expect(alarm.properties.DatapointsToAlarm).toBeGreaterThanOrEqual(1);
      expect(alarm.properties.DatapointsToAlarm).toBeLessThanOrEqual(alarm.properties.EvaluationPeriods);
    }
  });

  test('component alarms use the configured M of N', () => {
    const { evaluationPeriods, datapointsToAlarm } = set.env.config.alarms.datapoints;
    const errors = set.alarms.find((alarm) => alarm.name === `rampart-${name}-get-project-errors`)!;
    expect(errors.properties).toMatchObject({
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: datapointsToAlarm,
    });
  });

  test('every description states severity, impact, dashboard and a runbook that exists with every required section', () => {
    const base = `${set.env.config.alarms.docsBaseUrl}runbooks/alarms/`;
    for (const alarm of set.alarms) {
      expect(alarm.description).toMatch(
        /^Severity: (critical|warning|info)\. Impact: .+ Dashboard: https:\/\/\S+#dashboards\/dashboard\/rampart-[a-z]+-ops Runbook: https:\/\/\S+\.md$/,
      );
      expect(alarm.description.length).toBeLessThanOrEqual(1024);
      const url = runbookUrlOf(alarm)!;
      expect(url.startsWith(base)).toBe(true);
      const id = url.slice(base.length, -3);
      expect({ alarm: alarm.name, runbookExists: existsSync(join(RUNBOOK_DIR, `${id}.md`)) }).toEqual({
        alarm: alarm.name,
        runbookExists: true,
      });
    }
  });

  test('every runbook in use has the required sections in order, commands, a query and a review date', () => {
    const used = new Set([
      ...set.alarms.map((alarm) => runbookUrlOf(alarm)!.split('/').pop()!.slice(0, -3)),
      ...EVENT_RUNBOOKS,
    ]);
    for (const id of used) {
      const markdown = readRunbook(id);
      const found = headings(markdown).filter((h) => (REQUIRED_SECTIONS as readonly string[]).includes(h));
      expect({ id, sections: found }).toEqual({ id, sections: [...REQUIRED_SECTIONS] });
      expect({ id, commands: /```(sh|bash)\n/.test(section(markdown, 'Mitigation')) }).toEqual({
        id,
        commands: true,
      });
      expect({
        id,
        query: /```\n(fields|filter|stats) /.test(section(markdown, 'Dashboards and queries')),
      }).toEqual({ id, query: true });
      expect({ id, reviewed: /\b20\d\d-\d\d-\d\d\b/.test(section(markdown, 'Last reviewed')) }).toEqual({
        id,
        reviewed: true,
      });
    }
  });

  test('no runbook exists for an alarm or event alert that no longer exists', () => {
    const used = new Set([
      ...set.alarms.map((alarm) => runbookUrlOf(alarm)!.split('/').pop()!.slice(0, -3)),
      ...EVENT_RUNBOOKS,
    ]);
    const otherEnvironmentsOnly = SES_ENVIRONMENTS.includes(name) ? [] : SES_RUNBOOKS;
    const standby = Object.entries(STANDBY_RUNBOOKS)
      .filter(([, enabled]) => enabled(set.env.config))
      .map(([id]) => id);
    for (const id of standby) used.add(id);
    const turnedOff = Object.entries({ ...CONFIG_DEPENDENT_RUNBOOKS, ...STANDBY_RUNBOOKS })
      .filter(([, enabled]) => !enabled(set.env.config))
      .map(([id]) => id)
      .sort();
    expect(runbookFiles().filter((id) => !used.has(id) && !otherEnvironmentsOnly.includes(id))).toEqual(
      turnedOff,
    );
  });

  test('CloudFront and edge WAF alarms live only in us-east-1, and they exist', () => {
    const global = (alarm: AlarmResource) =>
      namespacesOf(alarm).includes('AWS/CloudFront') ||
      (namespacesOf(alarm).includes('AWS/WAFV2') && !dimensionsOf(alarm).some((d) => d.name === 'Region'));
    const edgeAlarms = set.alarms.filter(global);
    expect(edgeAlarms.map((alarm) => alarm.name).sort()).toEqual([
      `rampart-${name}-cdn-5xx-rate`,
      `rampart-${name}-edge-waf-blocked-spike`,
    ]);
    for (const alarm of edgeAlarms) expect(alarm.stack.region).toBe(GLOBAL_REGION);
    expect(set.env.stacks.opsGlobal.region).toBe(GLOBAL_REGION);
  });

  test('the topic keys let CloudWatch and EventBridge publish, and the topics are encrypted with them', () => {
    for (const part of ['ops', 'opsGlobal'] as const) {
      const json = set.env.template(part).toJSON();
      const keys = Object.entries(json.Resources as Record<string, Json>).filter(
        ([, r]) => r.Type === 'AWS::KMS::Key',
      );
      const [keyId, key] = keys.find(([id]) => id.startsWith('TopicsKey'))!;
      // Rampart's alarms of this account (observability.suite.ts asserts every statement exactly).
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'AllowCloudWatchAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': set.env.config.account },
          ArnLike: {
            'aws:SourceArn': `arn:aws:cloudwatch:${set.env.stacks[part].region}:${set.env.config.account}:alarm:rampart-${name}-*`,
          },
        },
      });
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'AllowEventBridgeRules',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      });
      const topics = Object.values(json.Resources as Record<string, Json>).filter(
        (r) => r.Type === 'AWS::SNS::Topic',
      );
      expect(topics).toHaveLength(3);
      for (const topic of topics)
        expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  test('every Lambda function, queue, database, proxy, API stage, web ACL and distribution has an alarm', () => {
    const { unwatched, counted } = coverage(set, set.alarms);
    expect(unwatched).toEqual([]);
    // The check saw every watched type (a type that vanished from the templates would pass silently).
    expect(Object.keys(counted).sort()).toEqual([...WATCHED_TYPES].sort());
  });

  test('the coverage check fails when a resource loses its alarms', () => {
    const workerArn = set.env.stacks.api.resolve(set.env.stacks.api.worker.functionName) as { Ref: string };
    const withoutWorker = set.alarms.filter((alarm) => !alarm.name.startsWith(`rampart-${name}-worker-`));
    expect(coverage(set, withoutWorker).unwatched).toEqual([
      `Rampart-${name}-Api AWS::Lambda::Function ${workerArn.Ref}`,
    ]);
    const withoutDb = set.alarms.filter(
      (alarm) =>
        !/-db-(cpu|freeable-memory|free-storage|connections|read-latency|write-latency|load)$/.test(
          alarm.name,
        ),
    );
    expect(coverage(set, withoutDb).unwatched).toEqual([
      expect.stringMatching(new RegExp(`^Rampart-${name}-Data AWS::RDS::DBInstance `)),
    ]);
  });

  test('the notifier: subscribed to every topic (us-east-1 ones cross-region), two async retries, then its encrypted DLQ', () => {
    const ops = set.env.template('ops');
    const json = ops.toJSON();
    const [notifierId] = Object.entries(json.Resources as Record<string, Json>).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('SlackNotifier'),
    )!;
    const [dlqId] = Object.entries(json.Resources as Record<string, Json>).find(([id]) =>
      id.startsWith('SlackDeadLetterQueue'),
    )!;
    const [keyId] = Object.entries(json.Resources as Record<string, Json>).find(([id]) =>
      id.startsWith('TopicsKey'),
    )!;
    ops.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: {
          RAMPART_ENVIRONMENT: name,
          SLACK_WEBHOOK_SECRET_ID: `rampart/${name}/slack-webhook`,
          ROUTE_ALL_TO_ONE_CHANNEL: String(set.env.config.alarms.routeAllToOneChannel),
        },
      },
    });
    ops.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: notifierId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    ops.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MessageRetentionPeriod: 1209600,
    });
    const lambdaSubscriptions = Object.values(json.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'lambda',
    );
    expect(lambdaSubscriptions.map((r) => r.Properties.TopicArn)).toEqual([
      ...ALARM_SEVERITIES.map((severity) => topicRefs('ops')[severity]),
      ...ALARM_SEVERITIES.map(
        (severity) => `arn:aws:sns:us-east-1:${set.env.config.account}:rampart-${name}-global-${severity}`,
      ),
    ]);
    expect(lambdaSubscriptions.slice(3).every((r) => r.Properties.Region === 'us-east-1')).toBe(true);
    const globalTopics = Object.values(
      set.env.template('opsGlobal').toJSON().Resources as Record<string, Json>,
    ).filter((r) => r.Type === 'AWS::SNS::Topic');
    expect(globalTopics.map((t) => t.Properties.TopicName)).toEqual(
      ALARM_SEVERITIES.map((s) => `rampart-${name}-global-${s}`),
    );
  });

  test('Chatbot channels exist only where configured, read-only and logging errors', () => {
    const chatbot = set.env.config.alarms.chatbot;
    const channels = Object.values(set.env.template('ops').toJSON().Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::Chatbot::SlackChannelConfiguration',
    );
    if (!chatbot) {
      expect(channels).toEqual([]);
      return;
    }
    expect(channels.map((c) => [c.Properties.ConfigurationName, c.Properties.SlackChannelId])).toEqual(
      ALARM_SEVERITIES.map((severity) => [`rampart-${name}-${severity}`, chatbot.channels[severity]]),
    );
    for (const channel of channels) {
      expect(channel.Properties).toMatchObject({
        SlackWorkspaceId: chatbot.workspaceId,
        LoggingLevel: 'ERROR',
        UserRoleRequired: true,
        GuardrailPolicies: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
        ],
      });
      expect(channel.Properties.SnsTopicArns).toHaveLength(2);
    }
  });

  test('event alerts: one rule per alert on the topic of its severity, with a dead-letter queue', () => {
    const rules = Object.values(set.env.template('ops').toJSON().Resources as Record<string, Json>).filter(
      // Alert rules target a topic (a Ref); the restore validation's rule targets its function.
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        r.Properties.EventPattern &&
        (r.Properties.Targets as Json[]).some((t) => t.Arn?.Ref !== undefined),
    );
    expect(rules.map((r) => r.Properties.Description)).toEqual(
      EVENT_ALERTS.map((a) => `${a.title}: runbooks/alarms/${a.id}.md`),
    );
    rules.forEach((rule, index) => {
      const alert = EVENT_ALERTS[index];
      expect(rule.Properties.EventPattern).toEqual({
        source: alert.pattern.source,
        'detail-type': alert.pattern.detailType,
        detail: alert.pattern.detail,
      });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: topicRefs('ops')[alert.severity],
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ]);
    });
  });

  test('SLOs page through composites muted by the maintenance alarm; their inputs go to info', () => {
    const composites = set.alarms.filter((alarm) => alarm.type === 'AWS::CloudWatch::CompositeAlarm');
    expect(composites.map((c) => c.name)).toEqual([
      `rampart-${name}-slo-availability-burn-rate`,
      `rampart-${name}-slo-latency-burn-rate`,
    ]);
    const maintenance = set.alarms.find((a) => a.name === `rampart-${name}-ops-maintenance-mode`)!;
    expect(maintenance.properties).toMatchObject({
      Namespace: 'Rampart/Operations',
      MetricName: 'MaintenanceMode',
      TreatMissingData: 'ignore',
      Threshold: 1,
    });
    for (const composite of composites) {
      expect(severityOf(composite)).toBe('critical');
      expect(composite.properties.ActionsSuppressor).toEqual({
        'Fn::GetAtt': [maintenance.logicalId, 'Arn'],
      });
      const slo = composite.name.replace(`rampart-${name}-`, '').replace('-burn-rate', '');
      const arn = (window: string) => ({
        'Fn::GetAtt': [
          set.alarms.find((a) => a.name === `rampart-${name}-${slo}-burn-${window}`)!.logicalId,
          'Arn',
        ],
      });
      expect(composite.properties.AlarmRule).toEqual({
        'Fn::Join': [
          '',
          [
            '((ALARM("',
            arn('fast-1h'),
            '") AND ALARM("',
            arn('fast-5m'),
            '")) OR (ALARM("',
            arn('slow-6h'),
            '") AND ALARM("',
            arn('slow-30m'),
            '")))',
          ],
        ],
      });
    }
    const { availabilityPercent, latencyPercent, latencyThresholdMs } = set.env.config.alarms.slo;
    const input = (n: string) => set.alarms.find((a) => a.name === `rampart-${name}-${n}`)!.properties;
    expect(input('slo-availability-burn-fast-1h')).toMatchObject({
      Threshold: Math.round(14.4 * (100 - availabilityPercent) * 1000) / 1000,
      EvaluationPeriods: 1,
    });
    expect(input('slo-availability-burn-slow-6h').Metrics[1].MetricStat.Period).toBe(21600);
    expect(input('slo-latency-burn-fast-5m').Metrics[1].MetricStat.Stat).toBe(`PR(:${latencyThresholdMs})`);
    expect(input('slo-latency-burn-slow-30m').Threshold).toBeCloseTo(6 * (100 - latencyPercent), 3);
    for (const n of ['fast-1h', 'fast-5m', 'slow-6h', 'slow-30m'])
      expect(
        severityOf(set.alarms.find((a) => a.name === `rampart-${name}-slo-availability-burn-${n}`)!),
      ).toBe('info');
  });

  test('days since last rotation: a checker every 6 hours, one alarm per rotated secret, missing data breaches', () => {
    const ops = set.env.template('ops');
    ops.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    const { config } = set.env;
    for (const [secret, days] of [
      ['database-admin', config.database.secretRotationDays],
      ['origin-verify', config.edge.originVerifyRotationDays],
      ['login-client', config.auth.clientSecretRotationDays],
    ] as const) {
      const alarm = set.alarms.find((a) => a.name === `rampart-${name}-secret-${secret}-rotation-overdue`)!;
      expect(alarm.properties).toMatchObject({
        Namespace: 'Rampart/Operations',
        MetricName: 'DaysSinceLastRotation',
        Dimensions: [
          { Name: 'Secret', Value: secret },
          { Name: 'service', Value: 'secret-rotation-age' },
        ],
        Period: 86400,
        Threshold: days + 2,
        TreatMissingData: 'breaching',
      });
    }
    const statements = Object.values(ops.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown[] }[],
    );
    const describe = statements.filter((s) => s.Action === 'secretsmanager:DescribeSecret');
    expect(describe).toHaveLength(1);
    expect(describe[0].Resource).toHaveLength(3);
  });

  test('SES bounce and complaint rates are alarmed where the pool sends through SES, at half the review levels', () => {
    const ses = set.alarms.filter((alarm) => alarm.name.startsWith(`rampart-${name}-ses-`));
    if (!SES_ENVIRONMENTS.includes(name)) {
      expect(set.env.config.auth.email).toBeUndefined();
      expect(ses).toEqual([]);
      return;
    }
    for (const [signal, metricName, threshold] of [
      ['bounce-rate', 'Reputation.BounceRate', 0.025],
      ['complaint-rate', 'Reputation.ComplaintRate', 0.0005],
    ] as const) {
      const alarm = ses.find((a) => a.name === `rampart-${name}-ses-${signal}`)!;
      const { Tags: _tags, ...properties } = alarm.properties;
      expect(properties).toEqual({
        AlarmName: `rampart-${name}-ses-${signal}`,
        AlarmDescription: expect.stringContaining(`runbooks/alarms/ses-${signal}.md`),
        Namespace: 'AWS/SES',
        MetricName: metricName,
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRefs('ops').warning],
        OKActions: [topicRefs('ops').warning],
      });
      expect(severityOf(alarm)).toBe('warning');
    }
  });

  test('the pager subscription never puts an integration key in the template', () => {
    const paging = set.env.config.alarms.paging;
    const subscriptions = [...set.templates.values()].flatMap(({ json }) =>
      Object.values(json.Resources as Record<string, Json>).filter(
        (r) => r.Type === 'AWS::SNS::Subscription',
      ),
    );
    const pager = subscriptions.filter(
      (s) => s.Properties.Protocol === 'https' || s.Properties.Protocol === 'email',
    );
    if (paging?.kind === 'https') {
      expect(pager.map((s) => s.Properties.Endpoint)).toEqual([
        `{{resolve:secretsmanager:${paging.endpointSecretName}:SecretString:::}}`,
        `{{resolve:secretsmanager:${paging.endpointSecretName}:SecretString:::}}`,
      ]);
    } else if (paging?.kind === 'email') {
      expect(pager.map((s) => s.Properties.Endpoint)).toEqual([paging.address, paging.address]);
    }
  });
}
