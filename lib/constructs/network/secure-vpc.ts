import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type InterfaceVpcEndpoint,
  type SubnetConfiguration,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EncryptedLogGroup } from '../core/encrypted-log-group';

/** Interface endpoint services SecureVpc knows how to create, by short name. */
export const INTERFACE_ENDPOINTS = {
  secretsmanager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  sqs: InterfaceVpcEndpointAwsService.SQS,
  logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  monitoring: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  kms: InterfaceVpcEndpointAwsService.KMS,
  sts: InterfaceVpcEndpointAwsService.STS,
  rds: InterfaceVpcEndpointAwsService.RDS,
  'execute-api': InterfaceVpcEndpointAwsService.APIGATEWAY,
  lambda: InterfaceVpcEndpointAwsService.LAMBDA,
  'cognito-idp': InterfaceVpcEndpointAwsService.COGNITO_IDP,
  backup: InterfaceVpcEndpointAwsService.BACKUP,
} as const;

export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINTS;

export interface SecureVpcProps {
  /** IPv4 range of the VPC, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Availability zones to spread subnets over (named, so synth never looks them up). */
  readonly availabilityZones: string[];
  /** NAT gateways; with 0 the function subnets are isolated and reach AWS through endpoints only. */
  readonly natGateways: number;
  /** Interface endpoints to create in the function subnets. */
  readonly interfaceEndpoints: readonly InterfaceEndpointName[];
  /** Retention of the flow log group, in days. */
  readonly flowLogRetentionDays: number;
  /**
   * Zones whose function subnets get the interface endpoints (each endpoint is billed per zone;
   * clients in the other zones reach them across zones).
   * @default - every zone
   */
  readonly endpointAvailabilityZones?: readonly string[];
  /**
   * Key for the flow log group.
   * @default - a new customer-managed key with rotation
   */
  readonly flowLogKey?: IKey;
}

/**
 * A VPC with three tiers: public (only when NAT gateways exist), `Functions` for Lambda and
 * `Data` (isolated) for databases; flow logs of all traffic to an encrypted log group;
 * an S3 gateway endpoint and the configured interface endpoints reachable on 443 from the VPC only.
 */
export class SecureVpc extends Construct {
  public readonly vpc: Vpc;
  public readonly flowLogGroup: EncryptedLogGroup;
  public readonly endpointSecurityGroup: SecurityGroup;
  public readonly interfaceEndpoints: Partial<Record<InterfaceEndpointName, InterfaceVpcEndpoint>> = {};
  /** Where Lambda functions go. */
  public readonly functionSubnets: SubnetSelection;
  /** Where databases and proxies go: no route to the internet. */
  public readonly dataSubnets: SubnetSelection;

  constructor(scope: Construct, id: string, props: SecureVpcProps) {
    super(scope, id);
    if (props.natGateways > props.availabilityZones.length) {
      throw new Error(
        `SecureVpc ${id}: natGateways (${props.natGateways}) exceeds availabilityZones (${props.availabilityZones.length})`,
      );
    }
    const withNat = props.natGateways > 0;
    const functionSubnetType = withNat ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;
    const subnets: SubnetConfiguration[] = [
      ...(withNat
        ? [{ name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false }]
        : []),
      { name: 'Functions', subnetType: functionSubnetType, cidrMask: 20 },
      { name: 'Data', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ];

    this.flowLogGroup = new EncryptedLogGroup(this, 'FlowLogs', {
      retentionDays: props.flowLogRetentionDays,
      encryptionKey: props.flowLogKey,
    });

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.cidr),
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      subnetConfiguration: subnets,
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        All: {
          destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup.logGroup),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
    });

    this.functionSubnets = { subnetGroupName: 'Functions' };
    this.dataSubnets = { subnetGroupName: 'Data' };

    this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(Peer.ipv4(props.cidr), Port.tcp(443), 'HTTPS from the VPC');

    this.acknowledgeFindings();

    const endpointZones = props.endpointAvailabilityZones;
    const unknownZone = endpointZones?.find((zone) => !props.availabilityZones.includes(zone));
    if (unknownZone !== undefined || endpointZones?.length === 0) {
      throw new Error(
        `SecureVpc ${id}: endpointAvailabilityZones must be some of availabilityZones (${unknownZone ?? 'none given'})`,
      );
    }
    for (const name of props.interfaceEndpoints) {
      this.interfaceEndpoints[name] = this.vpc.addInterfaceEndpoint(`${pascal(name)}Endpoint`, {
        service: INTERFACE_ENDPOINTS[name],
        subnets: endpointZones
          ? { ...this.functionSubnets, availabilityZones: [...endpointZones] }
          : this.functionSubnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
  }

  private acknowledgeFindings(): void {
    const flowLogPolicy = this.vpc.node
      .findChild('All')
      .node.findChild('IAMRole')
      .node.findChild('DefaultPolicy');
    Validations.of(flowLogPolicy).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        'The flow log role is used only by VPC Flow Logs; its inline policy allows writing to this one log group and passing itself, nothing else.',
    });
    for (const subnet of this.vpc.publicSubnets) {
      Validations.of(subnet.node.findChild('DefaultRoute')).acknowledge({
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason:
          'Public subnets hold only the NAT gateways, which need the default route to the internet gateway for outbound-only egress; nothing else is placed there and public IPs are not assigned on launch.',
      });
    }
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
