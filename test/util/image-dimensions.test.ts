import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from '../../src/store/sniff-image-format.js';
import { readImageDimensions } from '../../src/util/image-dimensions.js';
import { tempDir } from '../cli/cli-harness.js';

async function fixture(format: 'jpeg' | 'png' | 'webp' | 'gif', width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .toFormat(format)
    .toBuffer();
}

describe('readImageDimensions', () => {
  it.each([
    ['jpeg', 2560, 1440],
    ['png', 1440, 2560],
    ['webp', 300, 200],
    ['gif', 64, 48],
  ] as const)('reads a %s header (%i×%i)', async (format, width, height) => {
    const dir = await tempDir();
    const path = join(dir, `image.${format}`);
    const bytes = await fixture(format, width, height);
    await writeFile(path, bytes);
    expect(sniffImageFormat(bytes)).toBe(format);
    expect(await readImageDimensions(path, format)).toEqual({ width, height });
  });

  it('walks past megabytes of JPEG metadata to the frame header', async () => {
    const jpeg = await fixture('jpeg', 1728, 2304);
    // COM segments (as the emulator pads oversize images) between SOI and the rest.
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0xff, 0xff]), Buffer.alloc(0xfffd, 0x20)]);
    const padded = Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: 40 }, () => comment), jpeg.subarray(2)]);
    const path = join(await tempDir(), 'padded.jpeg');
    await writeFile(path, padded);
    expect(padded.length).toBeGreaterThan(2_500_000);
    expect(await readImageDimensions(path, 'jpeg')).toEqual({ width: 1728, height: 2304 });
  });

  it('answers undefined for a file that is not what it claims', async () => {
    const path = join(await tempDir(), 'not-an-image');
    await writeFile(path, 'hello, this is text and not a picture at all');
    expect(await readImageDimensions(path, 'jpeg')).toBeUndefined();
    expect(await readImageDimensions(path, 'png')).toBeUndefined();
  });
});
