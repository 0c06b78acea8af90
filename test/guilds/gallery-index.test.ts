import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GALLERY_BUCKET_SIZE,
  type GalleryEntry,
  GalleryIndex,
  guildScope,
  promptMatcher,
  userScope,
} from '../../src/guilds/gallery-index.js';
import { openStore, type Store } from '../../src/store/store.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function entry(i: number, overrides: Partial<GalleryEntry> = {}): GalleryEntry {
  return {
    jobId: `job${i}`,
    userId: `user${i % 3}`,
    guildId: 'guild1',
    channelId: 'chan1',
    prompt: `set number ${i}`,
    seed: i,
    aspect: '16:9',
    count: 4,
    quality: 'fast',
    createdAt: i,
    resultUrl: `https://discord.com/channels/guild1/chan1/${i}`,
    ...overrides,
  };
}

async function filled(count: number, options: { cap?: number; url?: string } = {}) {
  store = await openStore({ url: options.url ?? 'memory://' });
  const index = new GalleryIndex(store, options.cap);
  for (let i = 0; i < count; i++) await index.add(entry(i));
  return index;
}

describe('GalleryIndex', () => {
  it('pages newest first across buckets, for the server and for each person', async () => {
    const index = await filled(1_050);
    expect(await index.count(guildScope('guild1'))).toBe(1_050);
    for (const position of [0, 1, 99, 100, 101, 549, 1_049]) {
      expect((await index.at(guildScope('guild1'), position)).entry?.jobId).toBe(`job${1_049 - position}`);
    }
    expect((await index.at(guildScope('guild1'), 1_050)).entry).toBeUndefined();
    expect(await index.count(userScope('user1'))).toBe(350);
    expect((await index.at(userScope('user1'), 0)).entry?.jobId).toBe('job1048');
    // Paging is arithmetic plus one or two bucket reads, whatever the position.
    const started = performance.now();
    for (let p = 0; p < 1_050; p += 7) await index.at(guildScope('guild1'), p);
    const perPage = (performance.now() - started) / 150;
    console.info(`gallery index: 1,050 sets, ${perPage.toFixed(2)} ms a page (memory store)`);
  });

  it('adds a job once, however often it is retried', async () => {
    const index = await filled(120);
    await index.add(entry(119));
    await index.add(entry(5));
    expect(await index.count(guildScope('guild1'))).toBe(120);
  });

  it('keeps only the newest sets past the cap, dropping whole buckets and their locators', async () => {
    const index = await filled(GALLERY_BUCKET_SIZE * 3 + 10, { cap: GALLERY_BUCKET_SIZE * 2 });
    const count = await index.count(guildScope('guild1'));
    expect(count).toBeLessThanOrEqual(GALLERY_BUCKET_SIZE * 2);
    expect(count).toBeGreaterThan(GALLERY_BUCKET_SIZE);
    expect((await index.at(guildScope('guild1'), 0)).entry?.jobId).toBe('job309');
    const kept = await index.search(guildScope('guild1'), {});
    expect(kept).toHaveLength(count);
    expect(kept).not.toContain('job0');
    // Each person's list has its own cap: job0 is still in its requester's history.
    expect(await index.search(userScope('user0'), {})).toContain('job0');
    expect(await index.get('job309')).toBeDefined();
  });

  it('removes a set from the server and the person, wherever its bucket is', async () => {
    const index = await filled(250);
    expect(await index.remove('job10')).toBe(true); // an old, closed bucket
    expect(await index.remove('job249')).toBe(true); // the open bucket
    expect(await index.remove('job249')).toBe(false);
    expect(await index.count(guildScope('guild1'))).toBe(248);
    expect(await index.count(userScope('user1'))).toBe(83 - 1);
    expect((await index.at(guildScope('guild1'), 0)).entry?.jobId).toBe('job248');
    const ids = await index.search(guildScope('guild1'), {});
    expect(ids).not.toContain('job10');
    expect(ids).toHaveLength(248);
  });

  it('searches by member and prompt words, newest first', async () => {
    store = await openStore({ url: 'memory://' });
    const index = new GalleryIndex(store);
    const prompts = [
      'A lighthouse at dusk',
      '一座燈塔 在海邊',
      '燈塔lighthouse poster',
      'Café au lait, 4 posters',
      'koi pond',
    ];
    for (const [i, prompt] of prompts.entries()) await index.add(entry(i, { prompt, userId: i % 2 ? 'odd' : 'even' }));
    const scope = guildScope('guild1');
    expect(await index.search(scope, { search: 'lighthouse' })).toEqual(['job2', 'job0']);
    expect(await index.search(scope, { search: 'LIGHT' })).toEqual(['job2', 'job0']);
    expect(await index.search(scope, { search: 'house' })).toEqual([]); // words start, they do not contain
    expect(await index.search(scope, { search: '燈塔' })).toEqual(['job2', 'job1']);
    expect(await index.search(scope, { search: '燈塔 海邊' })).toEqual(['job1']);
    expect(await index.search(scope, { search: 'cafe' })).toEqual(['job3']);
    expect(await index.search(scope, { userId: 'odd' })).toEqual(['job3', 'job1']);
    expect(await index.search(scope, { userId: 'odd', search: 'lighthouse' })).toEqual([]);
    expect(await index.search(scope, { search: '   ' })).toHaveLength(5);
  });

  it('persists in SQLite', { timeout: 120_000 }, async () => {
    const url = `sqlite://${join(mkdtempSync(join(tmpdir(), 'gallery-index-')), 'store.sqlite')}`;
    const index = await filled(130, { url });
    await store!.close();
    store = await openStore({ url });
    const reopened = new GalleryIndex(store);
    expect(await reopened.count(guildScope('guild1'))).toBe(130);
    expect((await reopened.at(guildScope('guild1'), 0)).entry?.jobId).toBe('job129');
    expect((await reopened.at(guildScope('guild1'), 129)).entry?.jobId).toBe('job0');
    void index;
  });
});

describe('promptMatcher', () => {
  it('folds case, width and accents; Han matches inside words', () => {
    expect(promptMatcher('ＣＡＦＥ')('Café')).toBe(true);
    expect(promptMatcher('港')('維多利亞港的夜景')).toBe(true);
    expect(promptMatcher('harbour 夜景')('維多利亞港的夜景 harbour view')).toBe(true);
    expect(promptMatcher('harbour 夜景')('維多利亞港的夜景')).toBe(false);
  });
});
