/**
 * The index of delivered sets that /gallery browse and /history page through, so browsing
 * never walks Discord's history. One list per scope (a server: `g:<id>`, a person: `u:<id>`),
 * newest first to the reader, stored as buckets of 100 entries plus a small meta record of
 * the closed buckets' sizes: adding a set rewrites one bucket, and page k is found by
 * arithmetic on the sizes and read with at most three reads. Each scope is capped (default 10,000 sets); the oldest
 * bucket is dropped whole. A locator per job says which buckets hold it, for removal.
 */
import { z } from 'zod';
import type { Store } from '../store/store.js';

export const GALLERY_BUCKET_SIZE = 100;
export const DEFAULT_GALLERY_CAP = 10_000;

export const galleryEntrySchema = z.object({
  jobId: z.string(),
  userId: z.string(),
  guildId: z.string().nullable(),
  channelId: z.string(),
  prompt: z.string(),
  seed: z.number().int().nullable(),
  /** The aspect-ratio key (`16:9`) or the raw image size when it is not one of the eight. */
  aspect: z.string(),
  /** Images actually delivered. */
  count: z.number().int(),
  quality: z.string(),
  createdAt: z.number(),
  /** The first message of the result in the requester's channel. */
  resultUrl: z.string(),
  /** The gallery post, when the set was mirrored. */
  postUrl: z.string().optional(),
  /** The contact sheet (or the only image) as posted, for the browser's preview. */
  previewUrl: z.string().optional(),
  /** How many reference images the set was made from (absent: none, or indexed before references). */
  references: z.number().int().min(0).optional(),
  /** A variation's parent: its set id, the image (0-based) and the parent result's message link. */
  parent: z.object({ jobId: z.string(), image: z.number().int().min(0), url: z.string().optional() }).optional(),
});
export type GalleryEntry = z.infer<typeof galleryEntrySchema>;

const bucketSchema = z.array(galleryEntrySchema);
/**
 * The closed buckets of a scope. The open (newest) bucket is number `first + sizes.length`
 * and its size is its own length, so an ordinary add rewrites only that bucket.
 */
const metaSchema = z.object({
  /** Number of the oldest bucket still kept. */
  first: z.number().int().min(0),
  /** Entries in each closed bucket, oldest first (they change only when a set is removed). */
  sizes: z.array(z.number().int().min(0)),
});
type Meta = z.infer<typeof metaSchema>;
const locatorSchema = z.object({ places: z.array(z.object({ scope: z.string(), bucket: z.number().int() })) });

export type GalleryScope = `g:${string}` | `u:${string}`;
export const guildScope = (guildId: string): GalleryScope => `g:${guildId}`;
export const userScope = (userId: string): GalleryScope => `u:${userId}`;

/** What a search asks for: sets by one person, and/or whose prompt holds every term. */
export interface GalleryFilter {
  userId?: string;
  search?: string;
}

export class GalleryIndex {
  constructor(
    private readonly store: Store,
    readonly cap = DEFAULT_GALLERY_CAP,
  ) {}

  /** Adds a set to its server's and its requester's lists. Adding the same job twice changes nothing. */
  async add(entry: GalleryEntry): Promise<void> {
    const parsed = galleryEntrySchema.parse(entry);
    if (await this.store.get('galleries', locatorKey(parsed.jobId), locatorSchema)) return;
    const scopes: GalleryScope[] = [userScope(parsed.userId)];
    if (parsed.guildId) scopes.unshift(guildScope(parsed.guildId));
    const places: Array<{ scope: string; bucket: number }> = [];
    for (const scope of scopes) places.push({ scope, bucket: await this.#append(scope, parsed) });
    // Written last: a crash before it makes the next add look again (and find the entry in place).
    await this.store.set('galleries', locatorKey(parsed.jobId), { places });
  }

  /** Takes a set out of every list that holds it. */
  async remove(jobId: string): Promise<boolean> {
    const locator = await this.store.get('galleries', locatorKey(jobId), locatorSchema);
    if (!locator) return false;
    for (const { scope, bucket } of locator.places) {
      await this.store.withLock('galleries', scope, async () => {
        const entries = (await this.store.get('galleries', bucketKey(scope, bucket), bucketSchema)) ?? [];
        const kept = entries.filter((e) => e.jobId !== jobId);
        if (kept.length === entries.length) return;
        await this.store.set('galleries', bucketKey(scope, bucket), kept);
        const meta = await this.#meta(scope);
        const slot = bucket - meta.first;
        if (slot >= 0 && slot < meta.sizes.length) {
          meta.sizes[slot] = kept.length;
          await this.store.set('galleries', metaKey(scope), meta);
        }
      });
    }
    await this.store.delete('galleries', locatorKey(jobId));
    return true;
  }

  async count(scope: GalleryScope): Promise<number> {
    const { meta, open } = await this.#head(scope);
    return closedTotal(meta) + open.length;
  }

  /** The set at `position` (0 = newest) and how many there are: two or three reads. */
  async at(scope: GalleryScope, position: number): Promise<{ entry: GalleryEntry | undefined; total: number }> {
    const { meta, open } = await this.#head(scope);
    const count = closedTotal(meta) + open.length;
    if (position < 0 || position >= count) return { entry: undefined, total: count };
    if (position < open.length) return { entry: open[open.length - 1 - position], total: count };
    let remaining = position - open.length;
    for (let slot = meta.sizes.length - 1; slot >= 0; slot--) {
      const size = meta.sizes[slot]!;
      if (remaining < size) {
        const entries = (await this.store.get('galleries', bucketKey(scope, meta.first + slot), bucketSchema)) ?? [];
        return { entry: entries[entries.length - 1 - remaining], total: count };
      }
      remaining -= size;
    }
    return { entry: undefined, total: count };
  }

  /** One set by its job id (through its locator), or undefined when it is no longer indexed. */
  async get(jobId: string): Promise<GalleryEntry | undefined> {
    const locator = await this.store.get('galleries', locatorKey(jobId), locatorSchema);
    const place = locator?.places[0];
    if (!place) return undefined;
    const entries = await this.store.get('galleries', bucketKey(place.scope, place.bucket), bucketSchema);
    return entries?.find((e) => e.jobId === jobId);
  }

  /**
   * Job ids of the sets that match, newest first (at most `limit`). Reads the scope's buckets
   * in batches; 10,000 sets are 100 reads.
   */
  async search(scope: GalleryScope, filter: GalleryFilter, limit = this.cap): Promise<string[]> {
    const matches = promptMatcher(filter.search ?? '');
    const meta = await this.#meta(scope);
    const found: string[] = [];
    // Newest bucket first: the open one, then the closed ones.
    const buckets = Array.from({ length: meta.sizes.length + 1 }, (_, i) => meta.first + meta.sizes.length - i);
    for (let i = 0; i < buckets.length && found.length < limit; i += 20) {
      const batch = await this.store.getMany(
        'galleries',
        buckets.slice(i, i + 20).map((bucket) => bucketKey(scope, bucket)),
        bucketSchema,
      );
      for (const entries of batch) {
        for (let k = (entries?.length ?? 0) - 1; k >= 0 && found.length < limit; k--) {
          const entry = entries![k]!;
          if (filter.userId !== undefined && entry.userId !== filter.userId) continue;
          if (matches(entry.prompt)) found.push(entry.jobId);
        }
      }
    }
    return found;
  }

  /** Appends to the open bucket of `scope` (closing it when full), dropping the oldest past the cap. */
  async #append(scope: GalleryScope, entry: GalleryEntry): Promise<number> {
    return this.store.withLock('galleries', scope, async () => {
      const { meta, open } = await this.#head(scope);
      let bucket = meta.first + meta.sizes.length;
      // A retry after a crash between this append and the locator finds its entry in place.
      if (open.some((e) => e.jobId === entry.jobId)) return bucket;
      if (open.length < 10 && meta.sizes.length > 0) {
        const previous = await this.store.get('galleries', bucketKey(scope, bucket - 1), bucketSchema);
        if (previous?.some((e) => e.jobId === entry.jobId)) return bucket - 1;
      }
      let entries = open;
      let metaChanged = false;
      if (entries.length >= GALLERY_BUCKET_SIZE) {
        meta.sizes.push(entries.length);
        bucket++;
        entries = [];
        metaChanged = true;
      }
      entries.push(entry);
      await this.store.set('galleries', bucketKey(scope, bucket), entries);
      const dropped: number[] = [];
      while (closedTotal(meta) + entries.length > this.cap && meta.sizes.length > 0) {
        dropped.push(meta.first);
        meta.first++;
        meta.sizes.shift();
        metaChanged = true;
      }
      if (metaChanged) await this.store.set('galleries', metaKey(scope), meta);
      for (const old of dropped) await this.#dropBucket(scope, old);
      return bucket;
    });
  }

  /** The closed-bucket sizes and the open bucket's entries. */
  async #head(scope: string): Promise<{ meta: Meta; open: GalleryEntry[] }> {
    const meta = await this.#meta(scope);
    const open =
      (await this.store.get('galleries', bucketKey(scope, meta.first + meta.sizes.length), bucketSchema)) ?? [];
    return { meta, open };
  }

  /** Deletes a bucket past the cap, and the locators that pointed into it. */
  async #dropBucket(scope: GalleryScope, bucket: number): Promise<void> {
    const entries = (await this.store.get('galleries', bucketKey(scope, bucket), bucketSchema)) ?? [];
    await this.store.delete('galleries', bucketKey(scope, bucket));
    for (const entry of entries) {
      await this.store.update('galleries', locatorKey(entry.jobId), locatorSchema, (locator) => {
        if (!locator) return undefined;
        const places = locator.places.filter((p) => !(p.scope === scope && p.bucket === bucket));
        return places.length === 0 ? undefined : { places };
      });
    }
  }

  async #meta(scope: string): Promise<Meta> {
    return (await this.store.get('galleries', metaKey(scope), metaSchema)) ?? { first: 0, sizes: [] };
  }
}

const metaKey = (scope: string) => `${scope}:meta`;
const bucketKey = (scope: string, bucket: number) => `${scope}:b${bucket}`;
const locatorKey = (jobId: string) => `job:${jobId}`;
const closedTotal = (meta: Meta) => meta.sizes.reduce((sum, size) => sum + size, 0);

const HAN_OR_KANA = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Folds case, width and accents so "Café", "cafe" and "ＣＡＦＥ" match. */
export function normaliseForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{Mark}/gu, '')
    .toLowerCase();
}

/**
 * Whether a prompt holds every term of `query`. Latin terms match whole words or the start of
 * one ("light" finds "lighthouse"); Chinese has no spaces between words, so a term with Han
 * characters matches anywhere in the prompt.
 */
export function promptMatcher(query: string): (prompt: string) => boolean {
  const terms = normaliseForSearch(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (terms.length === 0) return () => true;
  return (prompt) => {
    const text = normaliseForSearch(prompt);
    // Han next to Latin ("燈塔lighthouse") is two words.
    const words = text
      .replace(new RegExp(HAN_OR_KANA.source, 'gu'), ' ')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    return terms.every((term) =>
      HAN_OR_KANA.test(term) ? text.includes(term) : words.some((word) => word.startsWith(term)),
    );
  };
}
