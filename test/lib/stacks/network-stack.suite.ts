import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES } from '../../../lib/config';
import { synthEnvironments } from '../../support/synth';

const environments = synthEnvironments();

describe.each(ENVIRONMENT_NAMES)('Network stack (%s)', (name) => {
  const { config, stacks, template: templateOf } = environments[name];
  const template = templateOf('network');
  const azCount = config.network.availabilityZones.length;

  test('is named Rampart-<env>-Network in the configured account and region', () => {
    expect(stacks.network.stackName).toBe(`Rampart-${name}-Network`);
    expect(stacks.network.account).toBe(config.account);
    expect(stacks.network.region).toBe(config.region);
    expect(stacks.network.terminationProtection).toBe(name !== 'dev');
  });

  test('the VPC uses the configured CIDR', () => {
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: config.network.cidr,
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      Tags: Match.arrayWith([
        { Key: 'environment', Value: name },
        { Key: 'owner', Value: config.owner },
        { Key: 'project', Value: 'rampart' },
      ]),
    });
  });

  test('has function and data subnets in every configured AZ, never assigning public IPs', () => {
    for (const az of config.network.availabilityZones) {
      for (const tier of ['Functions', 'Data']) {
        template.hasResourceProperties('AWS::EC2::Subnet', {
          AvailabilityZone: az,
          MapPublicIpOnLaunch: false,
          Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: tier }]),
        });
      }
    }
    const publicSubnets = config.network.natGateways > 0 ? azCount : 0;
    template.resourceCountIs('AWS::EC2::Subnet', azCount * 2 + publicSubnets);
    template.resourcePropertiesCountIs(
      'AWS::EC2::Subnet',
      {
        Tags: Match.arrayWith([
          { Key: 'aws-cdk:subnet-name', Value: 'Data' },
          { Key: 'aws-cdk:subnet-type', Value: 'Isolated' },
        ]),
      },
      azCount,
    );
  });

  test('creates the configured number of NAT gateways', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', config.network.natGateways);
    template.resourceCountIs('AWS::EC2::InternetGateway', config.network.natGateways > 0 ? 1 : 0);
  });

  test('logs all VPC traffic to an encrypted log group with the configured retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkFlowLogsLogGroup') },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        RetentionInDays: config.network.flowLogRetentionDays,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogsKey'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: `logs.${config.region}.amazonaws.com` },
            Effect: 'Allow',
          }),
        ]),
      },
    });
  });

  test('has an S3 gateway endpoint and exactly the configured interface endpoints', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    for (const service of config.network.interfaceEndpoints) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.${config.region}.${service}`,
        PrivateDnsEnabled: true,
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::EC2::VPCEndpoint',
      { VpcEndpointType: 'Interface' },
      config.network.interfaceEndpoints.length,
    );
  });

  test('interface endpoints accept HTTPS from inside the VPC only and send nothing out', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [
        {
          CidrIp: config.network.cidr,
          FromPort: 443,
          ToPort: 443,
          IpProtocol: 'tcp',
          Description: 'HTTPS from the VPC',
        },
      ],
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
      ],
    });
  });

  test('the default security group is stripped of its rules', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});

test('function subnets reach the internet only through NAT; data subnets never do', () => {
  for (const name of ENVIRONMENT_NAMES) {
    const template = environments[name].template('network');
    const zones = environments[name].config.network.availabilityZones.length;
    template.resourcePropertiesCountIs(
      'AWS::EC2::Subnet',
      {
        Tags: Match.arrayWith([
          { Key: 'aws-cdk:subnet-name', Value: 'Functions' },
          { Key: 'aws-cdk:subnet-type', Value: 'Private' },
        ]),
      },
      zones,
    );
    template.hasResourceProperties('AWS::EC2::Route', {
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: Match.anyValue(),
    });
  }
});
