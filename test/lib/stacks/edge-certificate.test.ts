import { Template } from 'aws-cdk-lib/assertions';
import { parseEnvironmentConfig, type EnvironmentConfig } from '../../../lib/config';
import { addComplianceChecks } from '../../../lib/rampart-app';
import { EdgeStack } from '../../../lib/stacks/edge-stack';
import { DEPLOYABLE_ZONE, deployableProd } from '../../fixtures/deployable-config';
import { testApp } from '../../support/synth';

/**
 * The custom domain's certificate, per way of validating it. Only the Edge stack is synthesized
 * (with the compliance checks): the committed configs have no hosted zone, and a whole environment
 * costs seconds.
 */
function edgeTemplate(config: EnvironmentConfig) {
  const app = testApp();
  addComplianceChecks(app);
  const stack = new EdgeStack(app, `Rampart-${config.name}-Edge`, {
    config,
    stackName: `Rampart-${config.name}-Edge`,
  });
  const assembly = app.synth();
  return { template: Template.fromStack(stack), missing: assembly.manifest.missing ?? [] };
}

function withDomain(domain: Record<string, unknown> | undefined): EnvironmentConfig {
  const config = deployableProd();
  return deployableProd({ edge: { ...config.edge, domain } });
}

/** The certificate's properties without its tags (those are the stack's, asserted elsewhere). */
function certificateProperties(template: Template): Record<string, unknown> {
  const certificates = Object.values(template.findResources('AWS::CertificateManager::Certificate'));
  expect(certificates).toHaveLength(1);
  const { Tags: _tags, ...properties } = certificates[0]!.Properties as Record<string, unknown>;
  return properties;
}

describe('edge certificate', () => {
  test('a hosted zone in config: the certificate validates itself through it, named by id (no lookup)', () => {
    const { template, missing } = edgeTemplate(
      withDomain({ name: 'api.acme-widgets.io', hostedZone: DEPLOYABLE_ZONE }),
    );
    expect(certificateProperties(template)).toEqual({
      DomainName: 'api.acme-widgets.io',
      DomainValidationOptions: [{ DomainName: 'api.acme-widgets.io', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      ValidationMethod: 'DNS',
    });
    // The zone is referenced, not created or looked up.
    expect(Object.keys(template.findResources('AWS::Route53::HostedZone'))).toEqual([]);
    expect(missing).toEqual([]);
  });

  test('a domain at the apex of its zone', () => {
    const { template } = edgeTemplate(withDomain({ name: 'acme-widgets.io', hostedZone: DEPLOYABLE_ZONE }));
    expect(certificateProperties(template)).toEqual({
      DomainName: 'acme-widgets.io',
      DomainValidationOptions: [{ DomainName: 'acme-widgets.io', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      ValidationMethod: 'DNS',
    });
  });

  test('no hosted zone: DNS validation with no zone, the CNAME is added by hand (the preflight says where)', () => {
    const { template } = edgeTemplate(withDomain({ name: 'api.acme-widgets.io' }));
    expect(certificateProperties(template)).toEqual({
      DomainName: 'api.acme-widgets.io',
      ValidationMethod: 'DNS',
    });
  });

  test('an existing certificate: none is requested', () => {
    const { template } = edgeTemplate(
      withDomain({
        name: 'api.acme-widgets.io',
        certificateArn: 'arn:aws:acm:us-east-1:402938475610:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        hostedZone: DEPLOYABLE_ZONE,
      }),
    );
    expect(Object.keys(template.findResources('AWS::CertificateManager::Certificate'))).toEqual([]);
  });
});

describe('hosted zone config', () => {
  const edge = deployableProd().edge;
  const parse = (domain: Record<string, unknown>) => () =>
    parseEnvironmentConfig({ ...deployableProd(), edge: { ...edge, domain } });

  test('the domain must lie inside the zone', () => {
    expect(parse({ name: 'api.other.io', hostedZone: DEPLOYABLE_ZONE })).toThrow(
      /edge\.domain\.name: must be inside edge\.domain\.hostedZone\.name/,
    );
    expect(parse({ name: 'xacme-widgets.io', hostedZone: DEPLOYABLE_ZONE })).toThrow(
      /edge\.domain\.name: must be inside/,
    );
  });

  test('a zone id and a name without the trailing dot', () => {
    expect(
      parse({
        name: 'api.acme-widgets.io',
        hostedZone: { id: '/hostedzone/Z0123', name: 'acme-widgets.io' },
      }),
    ).toThrow(/edge\.domain\.hostedZone\.id: must be a Route 53 hosted zone id/);
    expect(
      parse({ name: 'api.acme-widgets.io', hostedZone: { id: 'Z0123', name: 'acme-widgets.io.' } }),
    ).toThrow(
      /edge\.domain\.hostedZone\.name: must be a lower-case domain name such as example\.com, without the trailing dot/,
    );
  });
});
