import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  DeleteUserPoolClientSecretCommand,
  InvalidParameterException,
  LimitExceededException,
  ListUserPoolClientSecretsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';

export const USER_POOL_ID = 'eu-west-1_Pool1';
export const CLIENT_ID = 'login-client-id';

interface ClientSecret {
  readonly id: string;
  readonly value: string;
  readonly created: Date;
}

/**
 * Cognito's client secrets for one app client, behind aws-sdk-client-mock: cognito-local has no
 * AddUserPoolClientSecret, DeleteUserPoolClientSecret or ListUserPoolClientSecrets. It keeps what
 * the API documents: at most two secrets per client (a third is LimitExceededException), ids
 * `<client-id>--<epoch-create-time>`, the value returned only by the call that creates it, the
 * last secret cannot be deleted. List answers one secret per page, so callers must follow NextToken.
 */
export class FakeClientSecrets {
  readonly mock = mockClient(CognitoIdentityProviderClient);
  secrets: ClientSecret[];
  private clock = Date.UTC(2026, 0, 1);
  private counter = 0;

  constructor(initialValue = 'initial-secret-value-from-cloudformation') {
    this.secrets = [this.create(initialValue)];
    const check = (input: { UserPoolId?: string; ClientId?: string }) => {
      if (input.UserPoolId !== USER_POOL_ID || input.ClientId !== CLIENT_ID) {
        throw new ResourceNotFoundException({ message: 'User pool client does not exist.', $metadata: {} });
      }
    };
    this.mock
      .on(ListUserPoolClientSecretsCommand)
      .callsFake((input: { UserPoolId: string; ClientId: string; NextToken?: string }) => {
        check(input);
        const index = input.NextToken === undefined ? 0 : Number(input.NextToken);
        const secret = this.secrets[index];
        return {
          ClientSecrets: secret
            ? [{ ClientSecretId: secret.id, ClientSecretCreateDate: secret.created }]
            : [],
          ...(index + 1 < this.secrets.length ? { NextToken: String(index + 1) } : {}),
        };
      });
    this.mock
      .on(AddUserPoolClientSecretCommand)
      .callsFake((input: { UserPoolId: string; ClientId: string }) => {
        check(input);
        if (this.secrets.length >= 2) {
          throw new LimitExceededException({
            message: 'A client can have at most 2 secrets.',
            $metadata: {},
          });
        }
        this.counter += 1;
        const secret = this.create(`generated-secret-${this.counter}`);
        this.secrets.push(secret);
        return {
          ClientSecretDescriptor: {
            ClientSecretId: secret.id,
            ClientSecretValue: secret.value,
            ClientSecretCreateDate: secret.created,
          },
        };
      });
    this.mock
      .on(DeleteUserPoolClientSecretCommand)
      .callsFake((input: { UserPoolId: string; ClientId: string; ClientSecretId: string }) => {
        check(input);
        if (!this.secrets.some((s) => s.id === input.ClientSecretId)) {
          throw new ResourceNotFoundException({ message: 'Client secret does not exist.', $metadata: {} });
        }
        if (this.secrets.length === 1) {
          throw new InvalidParameterException({ message: 'Cannot delete the only secret.', $metadata: {} });
        }
        this.secrets = this.secrets.filter((s) => s.id !== input.ClientSecretId);
        return {};
      });
  }

  private create(value: string): ClientSecret {
    this.clock += 60_000;
    return { id: `${CLIENT_ID}--${this.clock}`, value, created: new Date(this.clock) };
  }

  /** Whether a SECRET_HASH made with `value` would be accepted now. */
  accepts(value: string): boolean {
    return this.secrets.some((s) => s.value === value);
  }

  ids(): string[] {
    return this.secrets.map((s) => s.id);
  }
}
