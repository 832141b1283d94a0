import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { CostWatch, type CostWatchProps } from '../../../../lib/constructs/ops/cost-watch';
import { testApp } from '../../../support/synth';

function build(overrides: Partial<CostWatchProps> = {}): Stack {
  const stack = new Stack(testApp(), 'Global', { env: { account: '111111111111', region: 'us-east-1' } });
  const topicKey = new Key(stack, 'Key');
  new CostWatch(stack, 'CostWatch', {
    environment: 'dev',
    monthlyBudgetUsd: 300,
    anomalyAlertUsd: 20,
    tags: { project: 'rampart' },
    anomalyTag: 'project',
    topic: new Topic(stack, 'Info', { masterKey: topicKey }),
    topicKey,
    ...overrides,
  });
  return stack;
}

describe('CostWatch', () => {
  test('one tag filters the budget by itself (no And of one)', () => {
    Template.fromStack(build()).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        FilterExpression: { Tags: { Key: 'project', Values: ['rampart'], MatchOptions: ['EQUALS'] } },
      },
    });
  });

  test('the anomaly subscription is created after the topic it publishes to', () => {
    const template = Template.fromStack(build());
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const subscription = Object.values(template.findResources('AWS::CE::AnomalySubscription'))[0];
    expect(subscription.DependsOn).toEqual(expect.arrayContaining([topicId]));
  });

  test.each([
    [{ monthlyBudgetUsd: 0 }, /monthlyBudgetUsd must be a positive amount/],
    [{ anomalyAlertUsd: -1 }, /anomalyAlertUsd must be a positive amount/],
    [{ tags: {} }, /at least one cost allocation tag/],
    [{ anomalyTag: 'team' }, /anomalyTag "team" must be one of the tags \(project\)/],
  ])('refuses %j', (overrides, message) => {
    expect(() => build(overrides as Partial<CostWatchProps>)).toThrow(message);
  });
});
