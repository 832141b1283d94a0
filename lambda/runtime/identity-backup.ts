import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  exportIdentities,
  readApiKeyOwners,
  type ApiKeyOwner,
  type IdentitySnapshot,
} from '../domain/auth/identity-backup';

export interface IdentityBackupRuntime {
  readonly cognito: CognitoIdentityProviderClient;
  /** A client in `drRegion`: the bucket lives there. */
  readonly s3: S3Client;
  readonly userPoolId: string;
  readonly bucketName: string;
  readonly apiKeyOwners: () => Promise<ApiKeyOwner[]>;
}

/** Object key of a snapshot: by time, so a listing sorts oldest first and the newest is last. */
export function snapshotKey(takenAt: string): string {
  return `identities/${takenAt.replace(/[:.]/g, '-')}.json`;
}

/**
 * Takes a snapshot and writes it to the DR bucket twice: under its time (kept for the bucket's
 * retention) and as `identities/latest.json` (what an import reads). Server-side encryption with
 * the bucket's DR-region key is the bucket's default; it is named here too so a bucket whose
 * default changed cannot store a snapshot unencrypted.
 */
export async function backUpIdentities(runtime: IdentityBackupRuntime, now: Date): Promise<IdentitySnapshot> {
  const snapshot = await exportIdentities(runtime.cognito, runtime.userPoolId, runtime.apiKeyOwners, now);
  const body = JSON.stringify(snapshot);
  for (const key of [snapshotKey(snapshot.takenAt), 'identities/latest.json']) {
    await runtime.s3.send(
      new PutObjectCommand({
        Bucket: runtime.bucketName,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
  }
  return snapshot;
}

export { readApiKeyOwners };
