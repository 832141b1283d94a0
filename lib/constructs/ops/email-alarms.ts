import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmFactory } from './alarm-factory';
import { MAIL_EVENTS_DIMENSION } from '../identity/user-directory';
import type { DashboardSection } from './ops-dashboard';

/** What the alarms and the dashboard need to know about the pool's mail. */
export interface PoolMail {
  /** The SES configuration set of the pool's mail (`auth.email.configurationSet`). */
  readonly configurationSet: string;
  /** The SES identity it sends as, named in the impact. */
  readonly sesIdentity: string;
}

/**
 * SES's own review levels (the account is put under review at these rates, and sending can be
 * paused at 10 % bounces or 0.5 % complaints). The alarms fire at half of them, so there is time
 * to act before SES does.
 */
export const SES_REVIEW_RATES = { bounce: 0.05, complaint: 0.001 } as const;

/** Alarm thresholds: half the review levels, as fractions (SES publishes the rates as 0..1). */
export const SES_ALARM_RATES = {
  bounce: SES_REVIEW_RATES.bounce / 2,
  complaint: SES_REVIEW_RATES.complaint / 2,
} as const;

const HOUR = Duration.hours(1);

/**
 * Bounces and complaints of the mail the user pool sends through SES (invitations, codes, password
 * resets). SES decides whether the account may keep sending from the account's reputation, so the
 * alarms watch `AWS/SES Reputation.BounceRate` and `Reputation.ComplaintRate` (account-wide, in the
 * environment's region); the configuration set's own counts are on the dashboard and in the
 * runbooks. No data means no mail was sent: not breaching.
 */
export function emailAlarms(factory: AlarmFactory, mail: PoolMail): void {
  const rate = (metricName: string) =>
    new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: HOUR });
  factory.metricAlarm({
    runbook: 'ses-bounce-rate',
    component: 'ses',
    signal: 'bounce-rate',
    severity: 'warning',
    impact: `The SES bounce rate is above ${SES_ALARM_RATES.bounce * 100}% (SES reviews the account at ${SES_REVIEW_RATES.bounce * 100}% and may pause sending: invitations, verification codes and password resets from ${mail.sesIdentity} would stop).`,
    metric: rate('Reputation.BounceRate'),
    threshold: SES_ALARM_RATES.bounce,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
  factory.metricAlarm({
    runbook: 'ses-complaint-rate',
    component: 'ses',
    signal: 'complaint-rate',
    severity: 'warning',
    impact: `The SES complaint rate is above ${SES_ALARM_RATES.complaint * 100}% (SES reviews the account at ${SES_REVIEW_RATES.complaint * 100}% and may pause sending: invitations, verification codes and password resets from ${mail.sesIdentity} would stop).`,
    metric: rate('Reputation.ComplaintRate'),
    threshold: SES_ALARM_RATES.complaint,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
}

/** Dashboard section: the pool's mail per hour (configuration set events) and the account's rates. */
export function emailDashboardSection(mail: PoolMail): DashboardSection {
  const count = (metricName: string) =>
    new Metric({
      namespace: 'AWS/SES',
      metricName,
      dimensionsMap: { [MAIL_EVENTS_DIMENSION]: mail.configurationSet },
      statistic: 'Sum',
      period: HOUR,
      label: metricName,
    });
  const rate = (metricName: string) =>
    new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: HOUR });
  return {
    title: `Mail (SES, ${mail.configurationSet})`,
    graphs: [
      {
        title: 'User pool mail per hour',
        left: ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'].map(count),
      },
      {
        title: 'Account reputation (fraction)',
        left: [rate('Reputation.BounceRate'), rate('Reputation.ComplaintRate')],
      },
    ],
  };
}
