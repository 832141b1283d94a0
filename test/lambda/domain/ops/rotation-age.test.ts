import { rotationAges, watchedSecretsFromEnv } from '../../../../lambda/domain/ops/rotation-age';

const now = new Date('2026-11-27T12:00:00Z');

describe('rotationAges', () => {
  test('whole days since the last rotation, or since creation when never rotated', async () => {
    const dates: Record<string, { LastRotatedDate?: Date; CreatedDate?: Date; RotationEnabled?: boolean }> = {
      a: {
        LastRotatedDate: new Date('2026-11-20T12:00:01Z'),
        CreatedDate: new Date('2026-01-01T00:00:00Z'),
        RotationEnabled: true,
      },
      b: { CreatedDate: new Date('2026-10-01T00:00:00Z') },
    };
    const result = await rotationAges(
      [
        { name: 'database-admin', secretId: 'a' },
        { name: 'origin-verify', secretId: 'b' },
      ],
      (id) => Promise.resolve(dates[id]),
      now,
    );
    expect(result).toEqual({
      ages: [
        { name: 'database-admin', days: 6, rotationEnabled: true },
        { name: 'origin-verify', days: 57, rotationEnabled: false },
      ],
      failures: [],
    });
  });

  test('a secret that cannot be described is reported, the others still measured', async () => {
    const result = await rotationAges(
      [
        { name: 'gone', secretId: 'x' },
        { name: 'ok', secretId: 'y' },
        { name: 'empty', secretId: 'z' },
      ],
      (id) =>
        id === 'x'
          ? Promise.reject(new Error('ResourceNotFoundException'))
          : Promise.resolve(id === 'y' ? { LastRotatedDate: now } : {}),
      now,
    );
    expect(result).toEqual({
      ages: [{ name: 'ok', days: 0, rotationEnabled: false }],
      failures: [
        { name: 'gone', error: 'ResourceNotFoundException' },
        { name: 'empty', error: 'DescribeSecret returned neither LastRotatedDate nor CreatedDate' },
      ],
    });
  });

  test('watched secrets come from JSON {name: arn}', () => {
    expect(watchedSecretsFromEnv('{"database-admin":"arn:1","bad":3,"empty":""}')).toEqual([
      { name: 'database-admin', secretId: 'arn:1' },
    ]);
    expect(watchedSecretsFromEnv(undefined)).toEqual([]);
  });
});
