import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { UserPoolJwks, type UserPoolJwksProps } from '../../../../lib/constructs/api/user-pool-jwks';

function build(overrides: Partial<UserPoolJwksProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const fetcher = new LambdaFunction(stack, 'Fetcher', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
  });
  const jwks = new UserPoolJwks(stack, 'Jwks', {
    fetcher,
    userPool: new UserPool(stack, 'Pool'),
    revision: 3,
    logEncryptionKey: new Key(stack, 'Key'),
    logRetentionDays: 30,
    ...overrides,
  });
  return { stack, jwks };
}

test('one Custom::Jwks on the provider framework, with the revision and a 5-minute CloudFormation timeout by default', () => {
  const { stack } = build();
  const template = Template.fromStack(stack);
  template.resourceCountIs('Custom::Jwks', 1);
  template.hasResourceProperties('Custom::Jwks', { Revision: 3, ServiceTimeout: '300' });
  template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'framework.onEvent' });
});

test('serviceTimeout is configurable between 1 minute and 1 hour', () => {
  const { stack } = build({ serviceTimeout: Duration.minutes(2) });
  Template.fromStack(stack).hasResourceProperties('Custom::Jwks', { ServiceTimeout: '120' });
  expect(() => build({ serviceTimeout: Duration.seconds(30) })).toThrow(
    'UserPoolJwks Jwks: serviceTimeout must be between 1 minute and 1 hour',
  );
  expect(() => build({ serviceTimeout: Duration.hours(2) })).toThrow(
    'UserPoolJwks Jwks: serviceTimeout must be between 1 minute and 1 hour',
  );
});

test('a revision that is not a non-negative integer is refused', () => {
  expect(() => build({ revision: -1 })).toThrow(
    'UserPoolJwks Jwks: revision must be a non-negative integer, got -1',
  );
  expect(() => build({ revision: 1.5 })).toThrow('revision must be a non-negative integer, got 1.5');
});
