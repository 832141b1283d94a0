import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { restJson } from '../../../lambda/shared/aws/rest-json';

/**
 * The three AWS Fault Injection Service calls a drill makes. No `@aws-sdk/client-fis` exists at the
 * SDK release this project pins (3.1141.0), so they go through the project's SigV4-signed REST-JSON
 * call (lambda/shared/aws/rest-json.ts, the SDK's own signer), service `fis`.
 */
export interface FisApi {
  /** Templates with their tags (`ListExperimentTemplates`). */
  listExperimentTemplates(): Promise<readonly { id: string; tags: Readonly<Record<string, string>> }[]>;
  /** `StartExperiment`; returns the experiment id. */
  startExperiment(input: {
    readonly experimentTemplateId: string;
    readonly clientToken: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<string>;
  /** `GetExperiment`: its state (`initiating`, `running`, `completed`, `stopped`, `failed`, ...). */
  getExperiment(id: string): Promise<{ status: string; reason?: string }>;
}

export interface SignedFisApiOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** @default https://fis.<region>.amazonaws.com */
  readonly endpoint?: string;
}

/** FIS over HTTPS with SigV4. */
export function signedFisApi(options: SignedFisApiOptions): FisApi {
  const target = { service: 'fis', ...options };
  return {
    async listExperimentTemplates() {
      // One page (the signed call takes no query string): a drill account holds a few templates;
      // more than a page is refused rather than half-read.
      const page = await restJson<{
        experimentTemplates?: { id: string; tags?: Record<string, string> }[];
        nextToken?: string;
      }>(target, 'GET', '/experimentTemplates');
      if (page?.nextToken !== undefined)
        throw new Error('FIS returned more than one page of experiment templates; the drill reads one page');
      return (page?.experimentTemplates ?? []).map((template) => ({
        id: template.id,
        tags: template.tags ?? {},
      }));
    },
    async startExperiment(input) {
      const answer = await restJson<{ experiment?: { id?: string } }>(target, 'POST', '/experiments', {
        clientToken: input.clientToken,
        experimentTemplateId: input.experimentTemplateId,
        tags: input.tags,
      });
      if (answer?.experiment?.id === undefined)
        throw new Error('FIS StartExperiment returned no experiment id');
      return answer.experiment.id;
    },
    async getExperiment(id) {
      const answer = await restJson<{ experiment?: { state?: { status?: string; reason?: string } } }>(
        target,
        'GET',
        `/experiments/${encodeURIComponent(id)}`,
      );
      return {
        status: answer?.experiment?.state?.status ?? 'unknown',
        reason: answer?.experiment?.state?.reason,
      };
    },
  };
}
