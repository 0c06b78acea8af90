import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, type PreparedImage, packParts, prepareImages } from '../../src/discord/pack-images.js';
import { byteLength, joinBytes } from '../../src/util/bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'seedream-pack-'));

/** A PNG of random noise: large, and hard to compress. */
async function noisyPng(name: string, width: number, height: number): Promise<{ path: string; bytes: number }> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const data = await sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, bytes: data.length };
}

describe('prepareImages', () => {
  it('re-encodes an image over the per-file limit so it fits, and keeps the others as they are', async () => {
    const big = await noisyPng('big.png', 1200, 800);
    const small = await noisyPng('small.png', 100, 100);
    const limit = 600 * 1024;
    expect(big.bytes).toBeGreaterThan(limit);
    const prepared = await prepareImages(
      [
        { index: 0, path: big.path, format: 'png', bytes: big.bytes },
        { index: 1, path: small.path, format: 'png', bytes: small.bytes },
      ],
      { fileLimitBytes: limit, baseName: 'seedream-job' },
    );
    expect(prepared[0]).toMatchObject({ reencoded: true, contentType: 'image/jpeg', filename: 'seedream-job-1.jpg' });
    expect(byteLength(prepared[0]!.data!)).toBeLessThanOrEqual(limit);
    const meta = await sharp(joinBytes(prepared[0]!.data!)).metadata();
    expect(meta.format).toBe('jpeg');
    expect(prepared[1]).toMatchObject({ reencoded: false, filename: 'seedream-job-2.png' });
    expect(byteLength(prepared[1]!.data!)).toBe(small.bytes);
  });

  it('links an image that cannot be made to fit (no bytes to upload)', async () => {
    const big = await noisyPng('huge.png', 1200, 800);
    const [prepared] = await prepareImages([{ index: 0, path: big.path, format: 'png', bytes: big.bytes }], {
      fileLimitBytes: 200,
      baseName: 'seedream-job',
    });
    expect(prepared!.data).toBeUndefined();
  });
});

describe('packParts', () => {
  const image = (index: number, bytes: number): PreparedImage => ({
    index,
    number: index + 1,
    filename: `f${index}.jpg`,
    contentType: 'image/jpeg',
    data: Buffer.alloc(bytes),
    reencoded: false,
  });

  it('puts at most 10 attachments in a message, in order', () => {
    const parts = packParts(Array.from({ length: 15 }, (_, i) => image(i, 1_000)));
    expect(parts.map((p) => p.images.length)).toEqual([10, 5]);
    expect(parts.flatMap((p) => p.images.map((i) => i.index))).toEqual([...Array(15).keys()]);
  });

  it('keeps every request under 25 MiB', () => {
    const parts = packParts(Array.from({ length: 15 }, (_, i) => image(i, 9 * 1024 * 1024)));
    for (const part of parts) {
      const bytes = part.images.reduce((n, i) => n + (i.data?.length ?? 0), 0);
      expect(bytes).toBeLessThanOrEqual(DISCORD_LIMITS.requestBytes);
    }
    expect(parts.map((p) => p.images.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 1]);
  });
});
