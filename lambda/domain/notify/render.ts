import { eventAlertOf, rdsEventAlertOf } from './event-alerts';
import {
  linkOfDescription,
  severityOfDescription,
  type AlarmNotification,
  type AlarmTrigger,
  type EventNotification,
  type Notification,
  type Severity,
  type TextNotification,
} from './messages';

/** A Slack incoming-webhook payload: `text` is the notification fallback, `blocks` the message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

export interface RenderContext {
  /** Environment name shown on every message (`prod`). */
  readonly environment: string;
  /** Severity of the topic the message came through (used when the alarm does not say). */
  readonly topicSeverity: Severity;
  /** Docs base URL (ends with `/`); event runbooks are `<base>runbooks/alarms/<id>.md`. */
  readonly docsBaseUrl?: string;
}

const ICONS: Record<string, string> = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};
const SEVERITY_ICONS: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

/** Slack mrkdwn treats `&`, `<` and `>` as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plain = (text: string, max = 150) => ({ type: 'plain_text', text: truncate(text, max), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, 2900) });
const field = (label: string, value: string) => mrkdwn(`*${label}*\n${escapeMrkdwn(value)}`);

function buttons(links: readonly [string, string | undefined][]): Record<string, unknown>[] {
  const elements = links
    .filter((link): link is [string, string] => link[1] !== undefined && /^https:\/\//.test(link[1]))
    .map(([label, url], index) => ({
      type: 'button',
      text: plain(label, 75),
      url: truncate(url, 3000),
      action_id: `link-${index}`,
    }));
  return elements.length > 0 ? [{ type: 'actions', elements }] : [];
}

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band',
  LessThanLowerThreshold: '< lower band',
  GreaterThanUpperThreshold: '> upper band',
};

function describeMetric(trigger: AlarmTrigger): string {
  if (trigger.metricName) {
    const dimensions = trigger.dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
    return `${trigger.namespace ?? ''} ${trigger.metricName} (${trigger.statistic ?? '?'})${dimensions ? ` [${dimensions}]` : ''}`.trim();
  }
  return trigger.expressions.length > 0 ? trigger.expressions.join('; ') : 'metric math';
}

function describeThreshold(trigger: AlarmTrigger): string {
  const op = trigger.comparison ? (COMPARISONS[trigger.comparison] ?? trigger.comparison) : '?';
  const m = trigger.datapointsToAlarm ?? trigger.evaluationPeriods;
  const n = trigger.evaluationPeriods;
  const window =
    n !== undefined && trigger.periodSeconds !== undefined
      ? ` for ${m} of ${n} x ${trigger.periodSeconds}s`
      : '';
  const missing = trigger.treatMissingData ? `, missing data: ${trigger.treatMissingData}` : '';
  return `${op} ${trigger.threshold ?? '?'}${window}${missing}`;
}

function consoleUrl(region: string | undefined, alarmName: string): string | undefined {
  if (!region) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

function renderAlarm(n: AlarmNotification, ctx: RenderContext): SlackMessage {
  const severity = severityOfDescription(n.description) ?? ctx.topicSeverity;
  const kind = n.composite ? 'Composite alarm' : 'Alarm';
  const icon = ICONS[n.state] ?? ':bell:';
  const headline = `${icon} ${n.state}: ${n.alarmName}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(headline) },
    {
      type: 'section',
      fields: [
        field('Severity', `${severity}`),
        field('Environment', ctx.environment),
        field('State change', `${n.previousState} → ${n.state}`),
        field('Kind', kind),
      ],
    },
  ];
  if (n.reason) blocks.push({ type: 'section', text: mrkdwn(`*Reason*\n${escapeMrkdwn(n.reason)}`) });
  if (n.trigger) {
    blocks.push({
      type: 'section',
      fields: [field('Metric', describeMetric(n.trigger)), field('Threshold', describeThreshold(n.trigger))],
    });
  }
  if (n.composite) {
    const children = n.composite.triggeringChildren.map((c) => `${c.name} (${c.state})`).join(', ');
    blocks.push({
      type: 'section',
      fields: [field('Rule', n.composite.rule), field('Triggered by', children || 'n/a')],
    });
  }
  const description = n.description.replace(/\s*(Dashboard|Runbook):\s*https:\/\/\S+/gi, '').trim();
  if (description) blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(description)) });
  blocks.push(
    ...buttons([
      ['Alarm in console', consoleUrl(n.region, n.alarmName)],
      ['Dashboard', linkOfDescription(n.description, 'Dashboard')],
      ['Runbook', linkOfDescription(n.description, 'Runbook')],
    ]),
  );
  blocks.push({
    type: 'context',
    elements: [mrkdwn(escapeMrkdwn(`${n.time} · account ${n.account ?? '?'} · ${n.region ?? '?'}`))],
  });
  return {
    text: `${SEVERITY_ICONS[severity]} [${severity.toUpperCase()}] ${ctx.environment}: ${n.alarmName} is ${n.state}`,
    blocks,
  };
}

function renderEvent(n: EventNotification, ctx: RenderContext): SlackMessage {
  const alert = eventAlertOf(n) ?? rdsEventAlertOf(n, ctx.topicSeverity);
  const severity = alert?.severity ?? ctx.topicSeverity;
  const title = alert?.title ?? `${n.source}: ${n.detailType}`;
  const detail = n.detail;
  const interesting = [
    'state',
    'status',
    'statusMessage',
    'eventName',
    'resourceType',
    'backupVaultName',
    'resourceArn',
    'creationDate',
    'EventID',
    'Message',
    'SourceIdentifier',
  ]
    .filter((key) => detail[key] !== undefined && detail[key] !== null)
    .map((key) =>
      field(key, typeof detail[key] === 'string' ? (detail[key] as string) : JSON.stringify(detail[key])),
    );
  const secret =
    typeof detail.additionalEventData === 'object' && detail.additionalEventData !== null
      ? (detail.additionalEventData as Record<string, unknown>).SecretId
      : undefined;
  if (typeof secret === 'string') interesting.push(field('Secret', secret));
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(`${ICONS.ALARM} ${title}`) },
    {
      type: 'section',
      fields: [
        field('Severity', severity),
        field('Environment', ctx.environment),
        field('Event', `${n.source} · ${n.detailType}`),
        field('Time', n.time || '?'),
      ],
    },
  ];
  if (alert) blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(`Impact: ${alert.impact}`)) });
  if (interesting.length > 0) blocks.push({ type: 'section', fields: interesting.slice(0, 10) });
  if (n.resources.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(`*Resources*\n${escapeMrkdwn(n.resources.join('\n'))}`) });
  }
  blocks.push(
    ...buttons([
      ['Runbook', alert && ctx.docsBaseUrl ? `${ctx.docsBaseUrl}runbooks/alarms/${alert.id}.md` : undefined],
    ]),
  );
  blocks.push({
    type: 'context',
    elements: [mrkdwn(escapeMrkdwn(`account ${n.account ?? '?'} · ${n.region ?? '?'}`))],
  });
  return {
    text: `${SEVERITY_ICONS[severity]} [${severity.toUpperCase()}] ${ctx.environment}: ${title}`,
    blocks,
  };
}

function renderText(n: TextNotification, ctx: RenderContext): SlackMessage {
  const title = n.subject ?? 'Notification';
  return {
    text: `${SEVERITY_ICONS[ctx.topicSeverity]} [${ctx.topicSeverity.toUpperCase()}] ${ctx.environment}: ${title}`,
    blocks: [
      { type: 'header', text: plain(title) },
      { type: 'section', text: mrkdwn(escapeMrkdwn(n.text || '(empty message)')) },
      { type: 'context', elements: [mrkdwn(`${ctx.topicSeverity} · ${escapeMrkdwn(ctx.environment)}`)] },
    ],
  };
}

/** Block Kit message for a notification. */
export function renderSlackMessage(notification: Notification, ctx: RenderContext): SlackMessage {
  switch (notification.kind) {
    case 'alarm':
      return renderAlarm(notification, ctx);
    case 'event':
      return renderEvent(notification, ctx);
    case 'text':
      return renderText(notification, ctx);
  }
}

/** The severity a notification is shown (and routed) with. */
export function severityOf(notification: Notification, topicSeverity: Severity): Severity {
  if (notification.kind === 'alarm') return severityOfDescription(notification.description) ?? topicSeverity;
  if (notification.kind === 'event') return eventAlertOf(notification)?.severity ?? topicSeverity;
  return topicSeverity;
}
