import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RampartFunction } from '../../../../lib/constructs/compute/rampart-function';

/** A function in the VPC, outside any VPC, or given subnets without a VPC (refused). */
function build(network: 'vpc' | 'none' | 'subnets only'): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'S');
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Functions', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const subnets = { subnetGroupName: 'Functions' };
  new RampartFunction(stack, 'Fn', {
    entry: 'health/handler.ts',
    description: 'network test',
    serviceName: 'health',
    logRetentionDays: 14,
    logEncryptionKey: new Key(stack, 'Key'),
    reservedConcurrentExecutions: 1,
    invocation: 'synchronous',
    vpc: network === 'vpc' ? vpc : undefined,
    vpcSubnets: network === 'none' ? undefined : subnets,
  });
  return Template.fromStack(stack);
}

const managedPolicies = (template: Template): string =>
  JSON.stringify(
    Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties.ManagedPolicyArns),
  );

test('in a VPC: its subnets, and the VPC access policy', () => {
  const template = build('vpc');
  template.hasResourceProperties('AWS::Lambda::Function', {
    VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('^VpcFunctionsSubnet1') }] },
  });
  expect(managedPolicies(template)).toContain('AWSLambdaVPCAccessExecutionRole');
});

test('outside any VPC only when neither vpc nor subnets is given: no VpcConfig, no VPC access policy', () => {
  const template = build('none');
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(fn.Properties.VpcConfig).toBeUndefined();
  expect(managedPolicies(template)).toContain('AWSLambdaBasicExecutionRole');
  expect(managedPolicies(template)).not.toContain('AWSLambdaVPCAccessExecutionRole');
  expect(() => build('subnets only')).toThrow(
    'RampartFunction Fn: give vpc and vpcSubnets together, or neither (outside any VPC)',
  );
});
