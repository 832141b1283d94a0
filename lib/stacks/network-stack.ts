import type { Construct } from 'constructs';
import { SecureVpc } from '../constructs/network/secure-vpc';
import { RampartStack, type RampartStackProps } from './rampart-stack';

/** The VPC every other regional stack lives in. */
export class NetworkStack extends RampartStack {
  public readonly network: SecureVpc;

  constructor(scope: Construct, id: string, props: RampartStackProps) {
    super(scope, id, props);
    const { network } = props.config;
    this.network = new SecureVpc(this, 'Network', {
      cidr: network.cidr,
      availabilityZones: network.availabilityZones,
      natGateways: network.natGateways,
      interfaceEndpoints: network.interfaceEndpoints,
      flowLogRetentionDays: network.flowLogRetentionDays,
    });
  }
}
