/**
 * Acceptance: the contact sheet of a 15-image set is a valid image under 500 KB whose tiles are
 * in order. Each frame is a distinct colour under heavy noise (the worst case for JPEG size);
 * the mean colour at the centre of every tile must be the colour of the frame with its number.
 */

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { chooseColumns, renderContactSheet } from '../../src/discord/gallery/contact-sheet.js';

const WIDTH = 3024;
const HEIGHT = 1296; // 21:9, the widest frames the model makes

function hueColour(index: number, count: number) {
  const hue = (index / count) * 360;
  const c = 200;
  const x = Math.round(c * (1 - Math.abs(((hue / 60) % 2) - 1)));
  const [r, g, b] =
    hue < 60
      ? [c, x, 0]
      : hue < 120
        ? [x, c, 0]
        : hue < 180
          ? [0, c, x]
          : hue < 240
            ? [0, x, c]
            : hue < 300
              ? [x, 0, c]
              : [c, 0, x];
  return { r: r + 30, g: g + 30, b: b + 30 };
}

/** A full-size frame of one colour under coarse noise (made small, then blown up: quick to build). */
async function noisyFrame(colour: { r: number; g: number; b: number }): Promise<Buffer> {
  const small = { width: WIDTH / 4, height: HEIGHT / 4, channels: 3 as const };
  const noise = await sharp({
    create: { ...small, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } },
  })
    .png()
    .toBuffer();
  const tinted = await sharp({ create: { ...small, background: colour } })
    .composite([{ input: noise, blend: 'soft-light' }])
    .png()
    .toBuffer();
  return sharp(tinted).resize(WIDTH, HEIGHT, { kernel: 'nearest' }).png({ compressionLevel: 1 }).toBuffer();
}

async function meanColour(image: Buffer, region: { left: number; top: number; width: number; height: number }) {
  // stats() reads its input, not the pipeline: cut the region out first.
  const stats = await sharp(await sharp(image).extract(region).png().toBuffer()).stats();
  return { r: stats.channels[0]!.mean, g: stats.channels[1]!.mean, b: stats.channels[2]!.mean };
}

const distance = (a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }) =>
  Math.hypot(a.r - b.r, a.g - b.g, a.b - b.b);

describe('contact sheet', () => {
  it('15 frames: a valid JPEG under 500 KB, tiles in order and numbered', { timeout: 180_000 }, async () => {
    const colours = Array.from({ length: 15 }, (_, i) => hueColour(i, 15));
    const frames = await Promise.all(colours.map(noisyFrame));
    const sources = frames.map((data) => ({ data }));
    // The blend shifts the tints: compare against each frame's own mean colour.
    const means = await Promise.all(
      frames.map(async (frame) => {
        const stats = await sharp(frame).stats();
        return { r: stats.channels[0]!.mean, g: stats.channels[1]!.mean, b: stats.channels[2]!.mean };
      }),
    );
    const started = performance.now();
    const sheet = await renderContactSheet(sources);
    const took = performance.now() - started;

    const metadata = await sharp(sheet.data).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.width).toBe(sheet.width);
    expect(metadata.height).toBe(sheet.height);
    expect(sheet.data.length).toBeLessThan(500 * 1024);
    expect(sheet.tiles.map((t) => t.number)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));

    // Reading order: left to right, then top to bottom.
    for (let i = 1; i < sheet.tiles.length; i++) {
      const [a, b] = [sheet.tiles[i - 1]!, sheet.tiles[i]!];
      expect(b.top > a.top || (b.top === a.top && b.left > a.left), `tile ${i + 1} after tile ${i}`).toBe(true);
    }
    // Each tile shows its own frame: the nearest source colour at its centre is the frame with its number.
    for (const tile of sheet.tiles) {
      const centre = {
        left: tile.left + Math.round(tile.width * 0.4),
        top: tile.top + Math.round(tile.height * 0.4),
        width: Math.round(tile.width * 0.2),
        height: Math.round(tile.height * 0.2),
      };
      const seen = await meanColour(sheet.data, centre);
      const nearest = means
        .map((colour, index) => ({ index, d: distance(colour, seen) }))
        .sort((x, y) => x.d - y.d)[0]!;
      expect(nearest.index + 1, `tile ${tile.number}`).toBe(tile.number);
    }
    // The badge corner is darker than the frame (the number sits on a dark plate with white digits).
    const first = sheet.tiles[0]!;
    const plate = await meanColour(sheet.data, {
      left: first.badge.left + 2,
      top: first.badge.top + Math.round(first.badge.height / 2),
      width: 2,
      height: 2,
    });
    expect(plate.r + plate.g + plate.b).toBeLessThan((means[0]!.r + means[0]!.g + means[0]!.b) / 2);
    const digits = await meanColour(sheet.data, first.badge);
    expect(digits.r + digits.g + digits.b, 'white digits on the plate').toBeGreaterThan(
      plate.r + plate.g + plate.b + 30,
    );
    console.info(
      `contact sheet: 15 frames ${WIDTH}×${HEIGHT} → ${sheet.width}×${sheet.height}, ${Math.round(sheet.data.length / 1024)} KB, ${Math.round(took)} ms`,
    );
  });

  it('chooses a grid near 3:2 with few empty cells', () => {
    expect(chooseColumns(4, 16 / 9)).toBe(4);
    expect(chooseColumns(15, 1)).toBe(5);
    expect(chooseColumns(15, 21 / 9)).toBe(3);
    expect(chooseColumns(6, 9 / 16)).toBe(3);
  });

  it('leaves an undecodable frame blank but keeps its number and place', { timeout: 60_000 }, async () => {
    const good = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const sheet = await renderContactSheet([
      { data: good },
      { data: Buffer.from('not an image') },
      { data: good },
      { data: good },
      { data: good },
    ]);
    expect(sheet.tiles).toHaveLength(5);
    expect((await sharp(sheet.data).metadata()).format).toBe('jpeg');
  });
});
