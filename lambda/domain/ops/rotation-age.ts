/** A secret whose rotation is watched, by a short name used as the metric dimension. */
export interface WatchedSecret {
  readonly name: string;
  readonly secretId: string;
}

/** What DescribeSecret returns that matters here. */
export interface SecretDates {
  readonly LastRotatedDate?: Date;
  readonly CreatedDate?: Date;
  readonly RotationEnabled?: boolean;
}

export interface RotationAge {
  readonly name: string;
  /** Whole days since the last rotation (or creation, when never rotated). */
  readonly days: number;
  readonly rotationEnabled: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Days since each secret last rotated. Secrets Manager has no such metric; the Ops stack runs this
 * on a schedule and alarms on the published `DaysSinceLastRotation`. A secret that cannot be
 * described is left out (its metric goes missing, which the alarm treats as breaching).
 */
export async function rotationAges(
  secrets: readonly WatchedSecret[],
  describe: (secretId: string) => Promise<SecretDates>,
  now: Date,
): Promise<{ ages: RotationAge[]; failures: { name: string; error: string }[] }> {
  const ages: RotationAge[] = [];
  const failures: { name: string; error: string }[] = [];
  for (const secret of secrets) {
    try {
      const dates = await describe(secret.secretId);
      const since = dates.LastRotatedDate ?? dates.CreatedDate;
      if (!since) throw new Error('DescribeSecret returned neither LastRotatedDate nor CreatedDate');
      ages.push({
        name: secret.name,
        days: Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS)),
        rotationEnabled: dates.RotationEnabled === true,
      });
    } catch (error) {
      failures.push({ name: secret.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { ages, failures };
}

/** `WATCHED_SECRETS` is JSON `{name: secretArn}`. */
export function watchedSecretsFromEnv(value: string | undefined): WatchedSecret[] {
  const parsed = JSON.parse(value ?? '{}') as Record<string, unknown>;
  return Object.entries(parsed)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0)
    .map(([name, secretId]) => ({ name, secretId }));
}
