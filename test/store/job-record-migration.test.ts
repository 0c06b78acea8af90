/**
 * Job records written before the model seam (version 1: no `model`, Seedream's input) still load
 * on every store, as Seedream sequential jobs, so jobs in flight across the upgrade go on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobRecordSchema } from '../../src/engine/job.js';
import { setParameters } from '../../src/models/registry.js';
import { JobRepository } from '../../src/store/job-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { announceRedisSkip, redisSkipReason, testEnv } from '../helpers/test-env.js';

const V1 = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'job-record-v1.json'), 'utf8'));

const kinds: Array<{ name: string; url: () => string; skip?: string }> = [
  { name: 'sqlite', url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'seedream-migrate-')), 'store.sqlite')}` },
  { name: 'redis', url: () => testEnv.REDIS_URL!, skip: redisSkipReason },
];
announceRedisSkip('the job record migration on Redis');

const opened: Store[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

for (const kind of kinds) {
  describe.skipIf(kind.skip !== undefined)(`a version 1 job record on ${kind.name}`, () => {
    const prefix = `test-migrate-${process.pid}-${Date.now()}`;

    it('loads as a Seedream sequential job with every field kept', async () => {
      const store = await openStore({ url: kind.url(), prefix });
      opened.push(store);
      await store.set('jobs', V1.id, V1);
      try {
        const job = await new JobRepository(store).get(V1.id);
        expect(job).toMatchObject({
          v: 2,
          model: 'bytedance/seedream-4-0/sequential',
          id: V1.id,
          state: 'delivering',
          input: V1.input,
          requestId: V1.requestId,
          delivery: V1.delivery,
          reservation: V1.reservation,
          surface: V1.surface,
        });
        expect(setParameters(job!)).toEqual({
          prompt: 'Generate 4 images: a lighthouse at dusk',
          count: 4,
          width: 1440,
          height: 2560,
          aspect: '9:16',
          size: '1440:2560 (9:16)',
          quality: 'standard',
          seed: 1234567,
          references: [],
        });
      } finally {
        await store.delete('jobs', V1.id);
      }
    });
  });
}

describe('a stored job record', () => {
  it('is refused when its model is unknown or its input does not fit its model', () => {
    const current = jobRecordSchema.parse(V1);
    const unknown = jobRecordSchema.safeParse({ ...current, model: 'someone/else' });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(['model']);
    const misfit = jobRecordSchema.safeParse({ ...current, input: { ...current.input, image_size: '1:1' } });
    expect(misfit.success).toBe(false);
    expect(misfit.error?.issues[0]?.path).toEqual(['input', 'image_size']);
  });
});
