/** An image's format from its first bytes: the extension in a URL is not trusted. */
import type { ImageFormat } from '../util/image-dimensions.js';

const SNIFFERS: Array<[ImageFormat, (b: Buffer) => boolean]> = [
  ['jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['webp', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
  ['gif', (b) => b.toString('latin1', 0, 4) === 'GIF8'],
];

export function sniffImageFormat(head: Buffer): ImageFormat | undefined {
  return SNIFFERS.find(([, test]) => test(head))?.[0];
}
