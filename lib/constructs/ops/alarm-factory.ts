import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmRule,
  AlarmState,
  ComparisonOperator,
  CompositeAlarm,
  TreatMissingData,
  type IAlarm,
  type IAlarmRule,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import type { AlarmSeverity } from '../../config';

/** Where every runbook lives, relative to the docs base URL. */
export const RUNBOOK_PATH = 'runbooks/alarms';

/** One alarm of the catalogue: what tests, the dashboard and the docs enumerate. */
export interface CatalogueEntry {
  readonly alarm: Alarm | CompositeAlarm;
  readonly alarmName: string;
  /** Runbook id: `runbooks/alarms/<runbook>.md`. */
  readonly runbook: string;
  readonly severity: AlarmSeverity;
  /** The resources this alarm watches (for the coverage test). */
  readonly watches: readonly IConstruct[];
}

export interface AlarmFactoryProps {
  /** `rampart`: first part of every alarm name. */
  readonly app: string;
  /** Environment name: second part of every alarm name. */
  readonly environment: string;
  /** Docs base URL ending with `/`. */
  readonly docsBaseUrl: string;
  /** URL of the environment's dashboard, written into every description. */
  readonly dashboardUrl: string;
  /** Topic per severity; every alarm notifies its severity's topic on ALARM and OK. */
  readonly topics: Readonly<Record<AlarmSeverity, ITopic>>;
  /** Default M of N. */
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /**
   * Put before every component (`standby`: `rampart-prod-standby-worker-errors`), for a copy of
   * components that another factory of the environment also alarms on (the standby in drRegion).
   * @default - none
   */
  readonly componentPrefix?: string;
}

interface CommonSpec {
  /** Runbook id (kebab-case). */
  readonly runbook: string;
  /** Component part of the name, kebab-case (`projects-get`, `db`, `api`). */
  readonly component: string;
  /** Signal part of the name, kebab-case (`errors`, `p99-latency`). */
  readonly signal: string;
  readonly severity: AlarmSeverity;
  /** What users notice when it fires, one sentence. */
  readonly impact: string;
  /** Resources watched (coverage test). @default - none */
  readonly watches?: readonly IConstruct[];
}

export interface MetricAlarmSpec extends CommonSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  /** Always explicit: what no data means for this signal. */
  readonly treatMissingData: TreatMissingData;
  /** @default - the factory's */
  readonly evaluationPeriods?: number;
  /** @default - the factory's (capped at `evaluationPeriods`) */
  readonly datapointsToAlarm?: number;
}

export interface CompositeAlarmSpec extends CommonSpec {
  readonly rule: IAlarmRule;
  /**
   * While this alarm is in ALARM, the composite's actions are suppressed (maintenance, DR drills).
   * @default - never suppressed
   */
  readonly actionsSuppressor?: IAlarm;
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const FAST_BURN_FACTOR = 14.4;

/** Percent of bad events that burns an error budget `factor` times too fast. */
function burnThreshold(factor: number, budgetPercent: number): number {
  return Math.round(factor * budgetPercent * 1000) / 1000;
}

/** The fast-burn threshold of an SLO (14.4x: 2 % of a 30-day budget in an hour), as percent bad. */
export function fastBurnThreshold(objectivePercent: number): number {
  return burnThreshold(FAST_BURN_FACTOR, 100 - objectivePercent);
}
const MAX_DESCRIPTION = 1024;

/** camelCase or PascalCase to kebab-case: `projectsGet` -> `projects-get`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase()
    .replace(/^-|-$/g, '');
}

const pascal = (text: string) =>
  kebab(text)
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * Builds the alarm catalogue: names `<app>-<env>-<component>-<signal>`, descriptions with
 * severity, impact, dashboard and runbook URL, explicit missing-data handling and M-of-N
 * datapoints, and an ALARM + OK action on the topic of the alarm's severity.
 */
export class AlarmFactory extends Construct {
  public readonly entries: CatalogueEntry[] = [];
  private readonly props: AlarmFactoryProps;

  constructor(scope: Construct, id: string, props: AlarmFactoryProps) {
    super(scope, id);
    if (!props.docsBaseUrl.endsWith('/')) throw new Error(`AlarmFactory ${id}: docsBaseUrl must end with /`);
    this.props = props;
  }

  /** `<app>-<env>-[<componentPrefix>-]<component>-<signal>`. */
  alarmName(component: string, signal: string): string {
    return `${this.props.app}-${this.props.environment}-${this.prefixed(component)}-${signal}`;
  }

  private prefixed(component: string): string {
    return this.props.componentPrefix ? `${this.props.componentPrefix}-${component}` : component;
  }

  runbookUrl(runbook: string): string {
    return `${this.props.docsBaseUrl}${RUNBOOK_PATH}/${runbook}.md`;
  }

  description(severity: AlarmSeverity, impact: string, runbook: string): string {
    const text = `Severity: ${severity}. Impact: ${impact} Dashboard: ${this.props.dashboardUrl} Runbook: ${this.runbookUrl(runbook)}`;
    if (text.length > MAX_DESCRIPTION) {
      throw new Error(
        `Alarm description for ${runbook} is ${text.length} characters; CloudWatch allows ${MAX_DESCRIPTION}`,
      );
    }
    return text;
  }

  metricAlarm(spec: MetricAlarmSpec): Alarm {
    this.check(spec);
    const evaluationPeriods = spec.evaluationPeriods ?? this.props.evaluationPeriods;
    const alarm = new Alarm(this, `${pascal(this.prefixed(spec.component))}${pascal(spec.signal)}`, {
      alarmName: this.alarmName(spec.component, spec.signal),
      alarmDescription: this.description(spec.severity, spec.impact, spec.runbook),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods,
      datapointsToAlarm: Math.min(spec.datapointsToAlarm ?? this.props.datapointsToAlarm, evaluationPeriods),
      treatMissingData: spec.treatMissingData,
    });
    return this.register(alarm, spec);
  }

  compositeAlarm(spec: CompositeAlarmSpec): CompositeAlarm {
    this.check(spec);
    const alarm = new CompositeAlarm(this, `${pascal(this.prefixed(spec.component))}${pascal(spec.signal)}`, {
      compositeAlarmName: this.alarmName(spec.component, spec.signal),
      alarmDescription: this.description(spec.severity, spec.impact, spec.runbook),
      alarmRule: spec.rule,
      actionsSuppressor: spec.actionsSuppressor,
      actionsSuppressorWaitPeriod: spec.actionsSuppressor ? Duration.minutes(1) : undefined,
      actionsSuppressorExtensionPeriod: spec.actionsSuppressor ? Duration.minutes(10) : undefined,
    });
    return this.register(alarm, spec);
  }

  /**
   * A multi-window, multi-burn-rate SLO (Google SRE workbook): fast burn (1 h and 5 min windows
   * at 14.4x the budget rate) OR slow burn (6 h and 30 min at 6x). The window alarms notify the
   * `info` feed; the composite pages (`critical`) and is muted by `actionsSuppressor`.
   */
  burnRateSlo(spec: {
    readonly runbook: string;
    readonly component: string;
    readonly impact: string;
    readonly objectivePercent: number;
    /** Percent of bad events over a window. */
    readonly badPercent: (window: Duration) => IMetric;
    readonly actionsSuppressor?: IAlarm;
    readonly watches?: readonly IConstruct[];
  }): CompositeAlarm {
    const budget = 100 - spec.objectivePercent;
    const windows = [
      { name: 'fast', factor: FAST_BURN_FACTOR, long: Duration.hours(1), short: Duration.minutes(5) },
      { name: 'slow', factor: 6, long: Duration.hours(6), short: Duration.minutes(30) },
    ];
    const rules = windows.map(({ name, factor, long, short }) => {
      const threshold = burnThreshold(factor, budget);
      const [longAlarm, shortAlarm] = [long, short].map((window) =>
        this.metricAlarm({
          runbook: spec.runbook,
          component: spec.component,
          signal: `burn-${name}-${window.toMinutes() >= 60 ? `${window.toHours()}h` : `${window.toMinutes()}m`}`,
          severity: 'info',
          impact: `${spec.impact} (${factor}x burn over ${window.toHumanString()}: input of the paging composite)`,
          metric: spec.badPercent(window),
          threshold,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          watches: spec.watches,
        }),
      );
      return AlarmRule.allOf(
        AlarmRule.fromAlarm(longAlarm, AlarmState.ALARM),
        AlarmRule.fromAlarm(shortAlarm, AlarmState.ALARM),
      );
    });
    return this.compositeAlarm({
      runbook: spec.runbook,
      component: spec.component,
      signal: 'burn-rate',
      severity: 'critical',
      impact: spec.impact,
      rule: AlarmRule.anyOf(...rules),
      actionsSuppressor: spec.actionsSuppressor,
      watches: spec.watches,
    });
  }

  private check(spec: CommonSpec): void {
    for (const [field, value] of Object.entries({
      runbook: spec.runbook,
      component: spec.component,
      signal: spec.signal,
    })) {
      if (!KEBAB.test(value)) throw new Error(`AlarmFactory: ${field} "${value}" must be kebab-case`);
    }
  }

  private register<T extends Alarm | CompositeAlarm>(alarm: T, spec: CommonSpec): T {
    const topic = this.props.topics[spec.severity];
    alarm.addAlarmAction(new SnsAction(topic));
    alarm.addOkAction(new SnsAction(topic));
    this.entries.push({
      alarm,
      alarmName: this.alarmName(spec.component, spec.signal),
      runbook: spec.runbook,
      severity: spec.severity,
      watches: spec.watches ?? [],
    });
    return alarm;
  }
}
