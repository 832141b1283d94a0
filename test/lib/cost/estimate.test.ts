import { Stack } from 'aws-cdk-lib';
import { CfnAlarm, type CfnAlarmProps } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnVPCEndpoint } from 'aws-cdk-lib/aws-ec2';
import { CfnFunction, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { loadEnvironmentConfig, type TrafficProfile } from '../../../lib/config';
import {
  budgetExcess,
  estimate,
  FREE,
  PRICED,
  runsPerMonth,
  UnpricedResourceError,
  type CostContext,
  type StackTemplate,
} from '../../../lib/cost/estimate';
import { HOURS_PER_MONTH, REGION_PRICES } from '../../../lib/cost/prices';
import { testApp } from '../../support/synth';

const TRAFFIC: TrafficProfile = {
  requestsPerMonth: 1_000_000,
  monthlyActiveUsers: 100,
  averageResponseKiB: 2,
  logKiBPerRequest: 1,
  functionMsPerRequest: 100,
  authorizerCacheHitPercent: 50,
  natGiBPerMonth: 1,
};
const CONTEXT: CostContext = {
  environment: 'tiny',
  drRegion: 'eu-west-2',
  traffic: TRAFFIC,
  authorizerMs: 50,
};
const IRELAND = REGION_PRICES['eu-west-1'];

/** Synthesizes a tiny stack of L1 resources (no compliance packs: this is about prices) into a StackTemplate. */
function tinyTemplate(build: (stack: Stack) => void, region = 'eu-west-1'): StackTemplate {
  const app = testApp();
  const stack = new Stack(app, 'Tiny', { env: { account: '111111111111', region } });
  build(stack);
  const artifact = app.synth().getStackByName(stack.stackName);
  return { stackName: artifact.stackName, region, resources: artifact.template.Resources };
}

function alarm(stack: Stack, id: string, props: Partial<CfnAlarmProps> = {}): void {
  new CfnAlarm(stack, id, {
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    threshold: 1,
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    period: 60,
    statistic: 'Sum',
    ...props,
  });
}

function endpoint(stack: Stack, id: string, zones: number): void {
  new CfnVPCEndpoint(stack, id, {
    vpcId: 'vpc-1',
    serviceName: 'com.amazonaws.eu-west-1.kms',
    vpcEndpointType: 'Interface',
    subnetIds: Array.from({ length: zones }, (_, i) => `subnet-${i}`),
  });
}

describe('an item moves the estimate by exactly its price', () => {
  test('one more standard-resolution alarm adds one alarm metric-month', () => {
    const one = estimate([tinyTemplate((s) => alarm(s, 'First'))], CONTEXT);
    const two = estimate(
      [
        tinyTemplate((s) => {
          alarm(s, 'First');
          alarm(s, 'Second');
        }),
      ],
      CONTEXT,
    );
    expect(two.totalUsd - one.totalUsd).toBeCloseTo(IRELAND.alarmMetricMonth.usd, 10);
    expect(two.fixedUsd - one.fixedUsd).toBeCloseTo(0.1, 10);
    expect(two.trafficUsd).toBe(one.trafficUsd);
  });

  test('one more interface endpoint in three AZs adds three endpoint-AZs for every hour of the month', () => {
    const base = estimate([tinyTemplate((s) => endpoint(s, 'Kms', 3))], CONTEXT);
    const more = estimate(
      [
        tinyTemplate((s) => {
          endpoint(s, 'Kms', 3);
          endpoint(s, 'Sts', 3);
        }),
      ],
      CONTEXT,
    );
    expect(more.totalUsd - base.totalUsd).toBeCloseTo(
      3 * HOURS_PER_MONTH * IRELAND.interfaceEndpointAzHour.usd,
      10,
    );
    expect(more.totalUsd - base.totalUsd).toBeCloseTo(24.09, 2);
    const item = more.items.find((i) => i.logicalId === 'Sts');
    expect(item).toMatchObject({ stack: 'Tiny', type: 'AWS::EC2::VPCEndpoint', service: 'VPC endpoints' });
  });

  test('a metric-math alarm costs one alarm metric per metric it reads, a high-resolution one three times as much', () => {
    const math = estimate(
      [
        tinyTemplate(
          (s) =>
            new CfnAlarm(s, 'Rate', {
              comparisonOperator: 'GreaterThanThreshold',
              evaluationPeriods: 1,
              threshold: 1,
              metrics: [
                { id: 'rate', expression: 'errors / calls', returnData: true },
                ...['errors', 'calls'].map((id) => ({
                  id,
                  returnData: false,
                  metricStat: {
                    metric: { namespace: 'AWS/Lambda', metricName: id },
                    period: 10,
                    stat: 'Sum',
                  },
                })),
              ],
            }),
        ),
      ],
      CONTEXT,
    );
    expect(math.totalUsd).toBeCloseTo(2 * IRELAND.highResolutionAlarmMetricMonth.usd, 10);
  });

  test('an alarm on a custom metric also pays for the metric, once however many alarms watch it', () => {
    const custom = { namespace: 'Rampart/Operations', metricName: 'Age' };
    const one = estimate([tinyTemplate((s) => alarm(s, 'A', custom))], CONTEXT);
    const two = estimate(
      [
        tinyTemplate((s) => {
          alarm(s, 'A', custom);
          alarm(s, 'B', custom);
        }),
      ],
      CONTEXT,
    );
    expect(one.totalUsd).toBeCloseTo(IRELAND.alarmMetricMonth.usd + IRELAND.customMetricMonth.usd, 10);
    expect(two.totalUsd - one.totalUsd).toBeCloseTo(IRELAND.alarmMetricMonth.usd, 10);
  });
});

describe('traffic', () => {
  const api = (stack: Stack) => {
    new CfnFunction(stack, 'Route', {
      code: { zipFile: 'x' },
      role: 'arn:aws:iam::111111111111:role/r',
      memorySize: 512,
      architectures: ['arm64'],
    });
    new CfnPermission(stack, 'Invoke', {
      action: 'lambda:InvokeFunction',
      functionName: 'placeholder',
      principal: 'apigateway.amazonaws.com',
    }).addPropertyOverride('FunctionName', { 'Fn::GetAtt': ['Route', 'Arn'] });
    new CfnLogGroup(stack, 'Logs', { retentionInDays: 30 });
  };

  test('a route function takes every request at the profile duration, its log group every request log', () => {
    const result = estimate([tinyTemplate(api)], CONTEXT);
    const lambda = result.items.find((i) => i.logicalId === 'Route')!;
    const gbSeconds = TRAFFIC.requestsPerMonth * 0.5 * 0.1;
    expect(lambda.trafficUsd).toBeCloseTo(
      IRELAND.lambdaRequestMillion.usd + gbSeconds * IRELAND.lambdaArmGbSecond.usd,
      10,
    );
    expect(lambda.fixedUsd).toBe(0);
    const ingestedGiB = TRAFFIC.requestsPerMonth / (1024 * 1024);
    const logs = result.items.find((i) => i.logicalId === 'Logs')!;
    expect(logs.trafficUsd).toBeCloseTo(
      ingestedGiB * IRELAND.logsIngestedGiB.usd +
        ingestedGiB * (30 / (730 / 24)) * 0.15 * IRELAND.logsStoredGiBMonth.usd,
      10,
    );
  });

  test('resources in the DR region are a standby: their fixed part counts, no traffic', () => {
    const result = estimate([tinyTemplate(api, 'eu-west-2')], CONTEXT);
    expect(result.trafficUsd).toBe(0);
  });

  test('the traffic part scales with the profile; the fixed part does not', () => {
    const build = (s: Stack) => {
      api(s);
      alarm(s, 'Errors');
    };
    const base = estimate([tinyTemplate(build)], CONTEXT);
    const doubled = estimate([tinyTemplate(build)], {
      ...CONTEXT,
      traffic: { ...TRAFFIC, requestsPerMonth: 2 * TRAFFIC.requestsPerMonth },
    });
    expect(doubled.fixedUsd).toBe(base.fixedUsd);
    expect(doubled.trafficUsd).toBeCloseTo(2 * base.trafficUsd, 10);
  });
});

describe('Backup Audit Manager', () => {
  test('a framework pays one control evaluation and one AWS Config evaluation per control a day', () => {
    const framework = (controls: number): StackTemplate[] => [
      {
        stackName: 'Tiny',
        region: 'eu-west-1',
        resources: {
          Audit: {
            Type: 'AWS::Backup::Framework',
            Properties: {
              FrameworkControls: Array.from({ length: controls }, (_, i) => ({ ControlName: `C${i}` })),
            },
          },
        },
      },
    ];
    const perControl = (730 / 24) * (IRELAND.backupAuditEvaluation.usd + IRELAND.configRuleEvaluation.usd);
    expect(estimate(framework(7), CONTEXT).totalUsd).toBeCloseTo(7 * perControl, 10);
    expect(estimate(framework(8), CONTEXT).totalUsd - estimate(framework(7), CONTEXT).totalUsd).toBeCloseTo(
      perControl,
      10,
    );
  });
});

describe('nothing is silently left out', () => {
  test('a resource type with neither a price nor a reason fails the estimate, naming it and its stack', () => {
    const template: StackTemplate = {
      stackName: 'Tiny',
      region: 'eu-west-1',
      resources: { Cache: { Type: 'AWS::ElastiCache::CacheCluster', Properties: {} } },
    };
    expect(() => estimate([template], CONTEXT)).toThrow(UnpricedResourceError);
    expect(() => estimate([template], CONTEXT)).toThrow(
      /No price for AWS::ElastiCache::CacheCluster \(Tiny\)/,
    );
  });

  test('a region without prices fails the estimate', () => {
    expect(() => estimate([{ stackName: 'Far', region: 'ap-south-2', resources: {} }], CONTEXT)).toThrow(
      /No prices for region ap-south-2/,
    );
  });

  test('settings the table cannot price fail too: an API cache, a paid WAF rule group, an unknown class', () => {
    const one = (Type: string, Properties: Record<string, unknown>) => [
      { stackName: 'Tiny', region: 'eu-west-1', resources: { R: { Type, Properties } } },
    ];
    expect(() => estimate(one('AWS::ApiGateway::Stage', { CacheClusterEnabled: true }), CONTEXT)).toThrow(
      /API Gateway cache/,
    );
    expect(() =>
      estimate(
        one('AWS::WAFv2::WebACL', {
          Rules: [{ Statement: { ManagedRuleGroupStatement: { Name: 'AWSManagedRulesATPRuleSet' } } }],
        }),
        CONTEXT,
      ),
    ).toThrow(/AWSManagedRulesATPRuleSet/);
    expect(() =>
      estimate(one('AWS::RDS::DBInstance', { DBInstanceClass: 'db.x2g.large', StorageType: 'gp3' }), CONTEXT),
    ).toThrow(/db\.x2g\.large/);
  });

  test('no type is both priced and free, and every free type says why', () => {
    expect(Object.keys(PRICED).filter((type) => type in FREE)).toEqual([]);
    for (const reason of Object.values(FREE)) expect(reason.length).toBeGreaterThan(5);
  });
});

describe('schedules', () => {
  test.each([
    ['rate(1 minute)', 43_800],
    ['rate(30 minutes)', 1_460],
    ['rate(6 hours)', 121.67],
    ['rate(1 day)', 30.42],
    ['cron(0 2 * * ? *)', 30.42],
    ['cron(0 6 ? * MON *)', 4.35],
    ['cron(0 4 1 * ? *)', 1],
  ])('%s runs %d times a month', (expression, runs) => {
    expect(runsPerMonth(expression)).toBeCloseTo(runs, 1);
  });

  test('a schedule it cannot read fails rather than guessing', () => {
    expect(() => runsPerMonth('cron(*/5 * * * ? *)')).toThrow(UnpricedResourceError);
  });
});

describe('budget', () => {
  test('an estimate over the budget names the environment, both figures and the biggest items', () => {
    const result = estimate(
      [
        tinyTemplate((s) => {
          endpoint(s, 'Kms', 3);
          endpoint(s, 'Sts', 2);
          alarm(s, 'Errors');
        }),
      ],
      CONTEXT,
    );
    expect(budgetExcess(result, 1000)).toBeUndefined();
    expect(budgetExcess(result, 10)).toBe(
      'tiny: the estimate $40.25 a month exceeds the budget $10.00 (cost.monthlyBudgetUsd); biggest items: Tiny VPC endpoints $40.15, Tiny CloudWatch alarms $0.10',
    );
  });

  test('every committed environment declares a budget and a traffic profile', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const { cost } = loadEnvironmentConfig(name);
      expect(cost.monthlyBudgetUsd).toBeGreaterThan(0);
      expect(cost.traffic.requestsPerMonth).toBeGreaterThan(0);
    }
  });
});
