import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecureVpc, type SecureVpcProps } from '../../../../lib/constructs/network/secure-vpc';
import { testApp } from '../../../support/synth';

const ZONES = ['eu-west-2a', 'eu-west-2b'];
const base: SecureVpcProps = {
  cidr: '10.22.0.0/16',
  availabilityZones: ZONES,
  natGateways: 0,
  interfaceEndpoints: ['secretsmanager', 'backup'],
  flowLogRetentionDays: 90,
};
const stackIn = () => new Stack(testApp(), 'Vpc', { env: { account: '222222222222', region: 'eu-west-2' } });

describe('SecureVpc interface endpoints in some zones only', () => {
  test('endpointAvailabilityZones puts every interface endpoint in those zones function subnets', () => {
    const stack = stackIn();
    new SecureVpc(stack, 'Network', {
      ...base,
      availabilityZones: [...ZONES],
      endpointAvailabilityZones: ['eu-west-2b'],
    });
    const template = Template.fromStack(stack);
    const subnets = template.findResources('AWS::EC2::Subnet', {
      Properties: {
        AvailabilityZone: 'eu-west-2b',
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'Functions' }]),
      },
    });
    const endpoints = Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    expect(endpoints.map((e) => e.Properties.ServiceName).sort()).toEqual([
      'com.amazonaws.eu-west-2.backup',
      'com.amazonaws.eu-west-2.secretsmanager',
    ]);
    expect(Object.keys(subnets)).toHaveLength(1);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.SubnetIds).toEqual([{ Ref: Object.keys(subnets)[0] }]);
    }
  });

  test.each([[['eu-west-2c']], [[]]])('refuses zones that are not the VPC zones (%j)', (zones) => {
    expect(() => new SecureVpc(stackIn(), 'Network', { ...base, endpointAvailabilityZones: zones })).toThrow(
      /SecureVpc Network: endpointAvailabilityZones must be some of availabilityZones/,
    );
  });
});
