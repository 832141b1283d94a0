// Run from test/lib/rampart-app.test.ts, on the one synth of every environment it shares.
import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { join } from 'node:path';
import { runCostCli } from '../../../bin/cost';
import { ENVIRONMENT_NAMES, type EnvironmentConfig } from '../../../lib/config';
import { budgetExcess, estimate, FREE, PRICED, type Estimate } from '../../../lib/cost/estimate';
import { estimateJson, formatEstimate, readmeCostTable } from '../../../lib/cost/report';
import { environmentTemplates } from '../../../lib/cost/templates';
import { synthEnvironments } from '../../support/synth';

const estimates = new Map<string, Estimate>();
function estimateOf(name: string): Estimate {
  if (!estimates.has(name)) {
    const env = synthEnvironments()[name];
    estimates.set(
      name,
      estimate(environmentTemplates(env.assembly, env.config), {
        environment: name,
        drRegion: env.config.drRegion,
        traffic: env.config.cost.traffic,
        authorizerMs: env.config.capacity.authorizerDurationMs,
      }),
    );
  }
  return estimates.get(name)!;
}

describe.each(ENVIRONMENT_NAMES)('cost of %s', (name) => {
  test('every resource type of every stack is priced or listed as free with its reason', () => {
    const env = synthEnvironments()[name];
    const templates = environmentTemplates(env.assembly, env.config);
    expect(templates.map((t) => t.stackName).sort()).toEqual(
      Object.values(env.stacks)
        .filter((stack) => stack !== undefined)
        .map((stack) => stack.stackName)
        .sort(),
    );
    const types = new Set(templates.flatMap((t) => Object.values(t.resources).map((r) => r.Type)));
    expect([...types].filter((type) => !(type in PRICED) && !(type in FREE))).toEqual([]);
  });

  test('the estimate stays within the budget in config (cost.monthlyBudgetUsd)', () => {
    const config = synthEnvironments()[name].config;
    expect(budgetExcess(estimateOf(name), config.cost.monthlyBudgetUsd)).toBeUndefined();
  });

  test('every item traces to a resource of its stack, and the totals add up', () => {
    const result = estimateOf(name);
    const env = synthEnvironments()[name];
    const templates = new Map(environmentTemplates(env.assembly, env.config).map((t) => [t.stackName, t]));
    for (const item of result.items) {
      expect(templates.get(item.stack)?.resources[item.logicalId]?.Type).toBe(item.type);
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(result.stacks.map((s) => s.totalUsd))).toBeCloseTo(result.totalUsd, 6);
    expect(sum(result.services.map((s) => s.totalUsd))).toBeCloseTo(result.totalUsd, 6);
    expect(result.fixedUsd + result.trafficUsd).toBeCloseTo(result.totalUsd, 6);
    expect(result.fixedUsd).toBeGreaterThan(0);
    expect(result.trafficUsd).toBeGreaterThan(0);
  });
});

describe('cost levers show in the estimate', () => {
  const service = (name: string, of: string) => estimateOf(name).services.find((s) => s.service === of);

  test('Bot Control and Cognito Plus are paid in staging and prod only', () => {
    expect(service('dev', 'WAF Bot Control')).toBeUndefined();
    expect(service('prod', 'WAF Bot Control')?.fixedUsd).toBe(10);
    const pool = (name: string) =>
      estimateOf(name)
        .items.find((i) => i.type === 'AWS::Cognito::UserPool')!
        .what.split(':')[0];
    expect(pool('dev')).toBe('ESSENTIALS');
    expect(pool('prod')).toBe('PLUS');
  });

  test('prod pays three NAT gateways and three AZs of six interface endpoints, plus its standby network (one NAT, the same endpoints in three eu-west-2 AZs); dev one NAT and two AZs of three', () => {
    expect(service('prod', 'NAT gateways')?.resources).toBe(3 + 1);
    expect(service('dev', 'NAT gateways')?.resources).toBe(1);
    expect(service('prod', 'VPC endpoints')?.fixedUsd).toBeCloseTo((6 * 3 + 6 * 3) * 730 * 0.011, 6);
    expect(service('dev', 'VPC endpoints')?.fixedUsd).toBeCloseTo(3 * 2 * 730 * 0.011, 6);
  });

  test('every alarm is priced: one alarm item per alarm resource', () => {
    for (const name of ENVIRONMENT_NAMES) {
      const alarms = estimateOf(name).items.filter(
        (i) => i.service === 'CloudWatch alarms' && i.type === 'AWS::CloudWatch::Alarm',
      );
      const env = synthEnvironments()[name];
      const count = environmentTemplates(env.assembly, env.config)
        .flatMap((t) => Object.values(t.resources))
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
      expect(alarms).toHaveLength(count);
    }
  });
});

describe('npm run cost output', () => {
  test('--json holds per-stack, per-service and total figures that trace to template resources', () => {
    const json = estimateJson(estimateOf('prod'), 3000) as {
      totalUsd: number;
      withinBudget: boolean;
      stacks: { stack: string; totalUsd: number }[];
      services: { service: string }[];
      items: { stack: string; logicalId: string }[];
      biggest: { stack: string; service: string }[];
    };
    expect(json.totalUsd).toBe(Math.round(estimateOf('prod').totalUsd * 100) / 100);
    expect(json.withinBudget).toBe(true);
    expect(json.stacks.map((s) => s.stack)).toContain('Rampart-prod-Data');
    expect(json.biggest).toHaveLength(3);
    expect(json.items.length).toBe(estimateOf('prod').items.length);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test('the table ends with the total, the budget verdict and the three biggest items', () => {
    const text = formatEstimate(estimateOf('dev'), 300);
    expect(text).toMatch(/^Rampart dev: estimated monthly cost in USD/);
    expect(text).toMatch(/\nTotal +\$[\d,.]+ +\$[\d,.]+ +\$[\d,.]+\n/);
    expect(text).toContain('Within the budget of $300.00 a month');
    expect(text).toMatch(/\nBiggest: Rampart-dev-\S+ [^;]+; [^;]+; [^;]+\n/);
    expect(formatEstimate(estimateOf('dev'), 1)).toMatch(
      /dev: the estimate \$[\d,.]+ a month exceeds the budget \$1\.00/,
    );
  });

  test.each(['README.md', 'docs/cost.md'])(
    "%s's cost table follows the estimate (within 5 %%, so that one more alarm does not make it stale)",
    (file) => {
      const readme = readFileSync(join(__dirname, '..', '..', '..', file), 'utf8');
      const between = /<!-- cost-table -->\n([\s\S]*?)\n<!-- \/cost-table -->/.exec(readme)?.[1] ?? '';
      // Prettier pads the cells: compare cells; amounts within 5 % (or $2) of the current estimate.
      const cells = (table: string) =>
        table
          .trim()
          .split('\n')
          .map((row) => row.split('|').map((cell) => cell.trim().replace(/^-+$/, '-')));
      const expected = cells(
        readmeCostTable(
          ENVIRONMENT_NAMES.map((name) => ({
            estimate: estimateOf(name),
            budgetUsd: synthEnvironments()[name].config.cost.monthlyBudgetUsd,
          })),
        ),
      );
      const amount = /\$([\d,]+)/g;
      const close = (written: string, current: string) => {
        const numbers = (text: string) =>
          [...text.matchAll(amount)].map((m) => Number(m[1].replaceAll(',', '')));
        const [a, b] = [numbers(written), numbers(current)];
        return (
          written.replace(amount, '$') === current.replace(amount, '$') &&
          a.length === b.length &&
          a.every((n, i) => Math.abs(n - b[i]) <= Math.max(2, 0.05 * b[i]))
        );
      };
      const actual = cells(between);
      const stale = expected.flatMap((row, r) =>
        row.filter((cell, c) => !close(actual[r]?.[c] ?? '', cell)).map((cell) => `row ${r + 1}: ${cell}`),
      );
      expect({ stale, rows: actual.length }).toEqual({ stale: [], rows: expected.length });
    },
  );
});

describe('npm run cost', () => {
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCostCli(argv, {
      env,
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      templates: (config: EnvironmentConfig) =>
        environmentTemplates(synthEnvironments()[config.name].assembly, config),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  test('-c env=prod --json prints one object whose total is the estimate; exit 0 within the budget', () => {
    const { code, out } = run(['-c', 'env=prod', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { environment: string; totalUsd: number; items: unknown[] };
    expect(json.environment).toBe('prod');
    expect(json.totalUsd).toBe(Math.round(estimateOf('prod').totalUsd * 100) / 100);
  });

  test('prints the table without --json', () => {
    expect(run(['-c', 'env=dev']).out).toMatch(/^Rampart dev: estimated monthly cost/);
  });

  test('a usage error exits 2 with the usage; an unknown environment exits 1 naming the known ones', () => {
    expect(run([])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/-c env=<name> is required\nusage:/),
    });
    expect(run(['--nope'])).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown option '--nope'/) });
    expect(run(['-c', 'region=x'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/unknown context region/),
    });
    expect(run(['-c', 'env=qa'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/Unknown environment "qa"/),
    });
  });

  test('over the budget: exit 1, the table names the biggest items', () => {
    const { code, out } = run(['-c', 'env=dev'], {});
    expect(code).toBe(0);
    const over = runCostCli(['-c', 'env=dev'], {
      env: {},
      out: () => undefined,
      err: () => undefined,
      templates: (config: EnvironmentConfig) => [
        ...environmentTemplates(synthEnvironments().dev.assembly, config),
        ...environmentTemplates(synthEnvironments().prod.assembly, synthEnvironments().prod.config),
      ],
    });
    expect(over).toBe(1);
    expect(out).toContain('Within the budget');
  });
});

describe.each(ENVIRONMENT_NAMES)('the real bill is watched in %s', (name) => {
  const global = () => synthEnvironments()[name].template('opsGlobal');
  const config = () => synthEnvironments()[name].config;
  const infoTopic = () => {
    const topics = global().findResources('AWS::SNS::Topic', {
      Properties: { TopicName: `rampart-${name}-global-info` },
    });
    return Object.keys(topics)[0];
  };

  test('an AWS Budgets budget of cost.monthlyBudgetUsd over the tagged resources alerts the info topic on actual and forecast spend', () => {
    expect(synthEnvironments()[name].stacks.opsGlobal.region).toBe('us-east-1');
    const sns = { SubscriptionType: 'SNS', Address: { Ref: infoTopic() } };
    global().resourceCountIs('AWS::Budgets::Budget', 1);
    global().hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: `rampart-${name}-monthly`,
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: config().cost.monthlyBudgetUsd, Unit: 'USD' },
        FilterExpression: {
          And: [
            { Tags: { Key: 'project', Values: ['rampart'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'environment', Values: [name], MatchOptions: ['EQUALS'] } },
          ],
        },
      },
      NotificationsWithSubscribers: [
        ['ACTUAL', 80],
        ['ACTUAL', 100],
        ['FORECASTED', 100],
      ].map(([type, threshold]) => ({
        Notification: {
          NotificationType: type,
          ComparisonOperator: 'GREATER_THAN',
          Threshold: threshold,
          ThresholdType: 'PERCENTAGE',
        },
        Subscribers: [sns],
      })),
    });
  });

  test('a Cost Anomaly Detection monitor on the project tag sends anomalies above cost.anomalyAlertUsd to the info topic at once', () => {
    global().hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorName: `rampart-${name}-spend`,
      MonitorType: 'CUSTOM',
      MonitorSpecification: JSON.stringify({
        Tags: { Key: 'project', Values: ['rampart'], MatchOptions: ['EQUALS'] },
      }),
    });
    const [monitorId] = Object.keys(global().findResources('AWS::CE::AnomalyMonitor'));
    global().hasResourceProperties('AWS::CE::AnomalySubscription', {
      SubscriptionName: `rampart-${name}-spend-anomalies`,
      MonitorArnList: [{ 'Fn::GetAtt': [monitorId, 'MonitorArn'] }],
      Frequency: 'IMMEDIATE',
      Subscribers: [{ Type: 'SNS', Address: { Ref: infoTopic() } }],
      ThresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(config().cost.anomalyAlertUsd)],
        },
      }),
    });
  });

  test('Budgets and Cost Anomaly Detection may publish to the info topic (this account only) and use its key', () => {
    const account = config().account;
    global().hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: infoTopic() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowBudgets',
            Effect: 'Allow',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: infoTopic() },
            Condition: {
              StringEquals: { 'aws:SourceAccount': account },
              ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${account}:*` },
            },
          },
          {
            Sid: 'AllowCostAnomalyDetection',
            Effect: 'Allow',
            Principal: { Service: 'costalerts.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: infoTopic() },
            Condition: { StringEquals: { 'aws:SourceAccount': account } },
          },
        ]),
      },
    });
    // The other topics admit neither service.
    const others = global().findResources('AWS::SNS::TopicPolicy', {
      Properties: { Topics: [{ Ref: Match.not(infoTopic()) }] },
    });
    expect(Object.keys(others)).toHaveLength(2);
    expect(JSON.stringify(others)).not.toMatch(/budgets|costalerts/);
    const keys = global().findResources('AWS::KMS::Key', {
      Properties: {
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowBudgets',
              Effect: 'Allow',
              Principal: { Service: 'budgets.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceAccount': account },
                ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${account}:*` },
              },
            },
            {
              Sid: 'AllowCostAnomalyDetection',
              Effect: 'Allow',
              Principal: { Service: 'costalerts.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': account } },
            },
          ]),
        },
      },
    });
    // The topics' key (the one the info topic is encrypted with).
    const [keyId] = Object.keys(keys);
    global().hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `rampart-${name}-global-info`,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('a cost alert that cannot be delivered is alarmed: every us-east-1 topic has a failed-notifications alarm', () => {
    const topics = global().findResources('AWS::SNS::Topic');
    for (const severity of ['critical', 'warning', 'info']) {
      const [topicId] = Object.entries(topics).find(
        ([, topic]) => topic.Properties.TopicName === `rampart-${name}-global-${severity}`,
      )!;
      global().hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `rampart-${name}-global-topic-${severity}-notifications-failed`,
        Namespace: 'AWS/SNS',
        MetricName: 'NumberOfNotificationsFailed',
        Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topicId, 'TopicName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});
