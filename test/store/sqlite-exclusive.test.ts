/**
 * SQLite serves one bot process: a second one started on the same file refuses with a clear
 * message, and a process killed with kill -9 does not lock the store for ever.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, StoreInUseError } from '../../src/store/store.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const HOLDER = join(import.meta.dirname, 'fixtures', 'sqlite-holder.ts');

describe('a second process on one SQLite store', () => {
  it('refuses to start while the first lives, and starts once it was killed', { timeout: 30_000 }, async () => {
    const storeUrl = `sqlite://${join(mkdtempSync(join(tmpdir(), 'seedream-exclusive-')), 'store.sqlite')}`;
    const first = await spawnWorker(HOLDER, { storeUrl });
    try {
      const refused = await openStore({ url: storeUrl, exclusive: true }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreInUseError);
      expect((refused as Error).message).toContain(`pid ${first.pid}`);
      expect((refused as Error).message).toContain('redis://');
      // Readers that are not bot processes (tools, tests) may still open it.
      await (await openStore({ url: storeUrl })).close();
    } finally {
      await killHard(first);
    }
    const second = await openStore({ url: storeUrl, exclusive: true });
    await second.close();
    // Closed cleanly: the lock is gone, the next start needs no takeover.
    await (await openStore({ url: storeUrl, exclusive: true })).close();
  });
});
