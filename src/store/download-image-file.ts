/** One image downloaded with the spool's rules straight into a named file (the CLI's downloads). */
import { join } from 'node:path';
import { byteLength } from '../util/bytes.js';
import type { ImageFormat } from '../util/image-dimensions.js';
import { type DownloadOptions, downloadImage } from './image-spool.js';
import { writeAtomically } from './write-atomically.js';

export interface DownloadImageOptions extends DownloadOptions {
  directory: string;
  /** The file is `<baseName>.<extension>`, the extension chosen from the sniffed bytes, not the URL. */
  baseName: string;
  /** Default: the format's name ('jpeg', 'png'…). */
  extensionOf?: (format: ImageFormat) => string;
}

/** `downloadImage` into `directory` (`.part` file renamed only when complete). */
export async function downloadImageFile(
  url: string,
  options: DownloadImageOptions,
): Promise<{ path: string; format: ImageFormat; bytes: number }> {
  const { data, format } = await downloadImage(url, options);
  const path = join(options.directory, `${options.baseName}.${options.extensionOf?.(format) ?? format}`);
  await writeAtomically(path, data);
  return { path, format, bytes: byteLength(data) };
}
