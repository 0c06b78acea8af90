/** The learned ETA keeps each model apart, and what the default model learned before stays valid. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EtaModel } from '../../src/accounting/eta-model.js';
import { DEFAULT_MODEL_KEY, REFERENCE_MODEL } from '../../src/models/registry.js';
import { openStore, type Store } from '../../src/store/store.js';

const EDIT = REFERENCE_MODEL.key;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('EtaModel per model', () => {
  it('reads the keys stored before there were models as the default model’s', async () => {
    store = await openStore({ url: 'memory://', prefix: 'eta-test' });
    // The shape persisted by earlier versions: bare `count:quality` and `quality` keys.
    await store.set('stats', 'eta', {
      buckets: { '4:fast': { meanMs: 40_000, devMs: 2_000, samples: 12 } },
      perImage: { fast: { meanMs: 10_000, devMs: 500, samples: 12 } },
    });
    const eta = new EtaModel(store);
    await eta.load();
    expect(eta.estimate(4, 'fast')).toEqual({ meanMs: 40_000, devMs: 2_000, samples: 12 });
    expect(eta.estimate(4, 'fast', DEFAULT_MODEL_KEY)).toEqual({ meanMs: 40_000, devMs: 2_000, samples: 12 });
    // The edit model has learned nothing: its own prior, not the sequential model's times.
    expect(eta.estimate(4, 'fast', EDIT).samples).toBe(0);
    expect(eta.estimate(4, 'fast', EDIT).meanMs).not.toBe(40_000);
  });

  it('learns each model apart, borrows only from its own buckets, and persists the default model’s keys bare', async () => {
    store = await openStore({ url: 'memory://', prefix: 'eta-test-2' });
    const eta = new EtaModel(store);
    await eta.load();
    eta.observe(4, 'fast', 30_000);
    eta.observe(4, 'fast', 90_000, EDIT);
    expect(eta.estimate(4, 'fast').meanMs).toBe(30_000);
    expect(eta.estimate(4, 'fast', EDIT).meanMs).toBe(90_000);
    // An unlearned count borrows from the same model's learned one (scaled by the prior's shape).
    expect(eta.estimate(2, 'fast', EDIT).meanMs).toBeCloseTo((90_000 * 20_000) / 32_000);
    expect(eta.estimate(2, 'fast').meanMs).toBeCloseTo((30_000 * 20_000) / 32_000);
    await eta.save();

    const saved = await store.get(
      'stats',
      'eta',
      z.object({ buckets: z.object({}).loose(), perImage: z.object({}).loose() }),
    );
    expect(Object.keys(saved!.buckets).sort()).toEqual(['4:fast', `${EDIT}|4:fast`]);
    expect(Object.keys(saved!.perImage).sort()).toEqual([`${EDIT}|fast`, 'fast']);
    const reloaded = new EtaModel(store);
    await reloaded.load();
    expect(reloaded.estimate(4, 'fast', EDIT).meanMs).toBe(90_000);
    expect(reloaded.estimate(4, 'fast', DEFAULT_MODEL_KEY).meanMs).toBe(30_000);
  });
});
