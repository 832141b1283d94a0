import type { Construct } from 'constructs';
import type { NetworkConfig } from '../config';
import { SecureVpc } from '../constructs/network/secure-vpc';
import { RampartStack, type RampartStackProps } from './rampart-stack';

export interface NetworkStackProps extends RampartStackProps {
  /**
   * The network to build, when not the environment's own (the standby's `drNetwork`, with
   * `regionOverride` set to `drRegion`).
   * @default - config.network
   */
  readonly networkConfig?: NetworkConfig;
}

/** The VPC every other regional stack lives in (in drRegion: the standby's). */
export class NetworkStack extends RampartStack {
  public readonly network: SecureVpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const network = props.networkConfig ?? props.config.network;
    this.network = new SecureVpc(this, 'Network', {
      cidr: network.cidr,
      availabilityZones: network.availabilityZones,
      natGateways: network.natGateways,
      interfaceEndpoints: network.interfaceEndpoints,
      flowLogRetentionDays: network.flowLogRetentionDays,
    });
  }
}
