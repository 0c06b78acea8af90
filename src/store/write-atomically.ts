import { open, rename, rm } from 'node:fs/promises';
import type { Bytes } from '../util/bytes.js';

/**
 * Writes `<path>.part`, then renames it: a file under its final name is always complete. The
 * pieces go in one gathered write (not one write per piece, nor per 512 KiB as writeFile does),
 * so a set's files take few turns of the thread pool that the store's queries share.
 */
export async function writeAtomically(path: string, data: Bytes): Promise<void> {
  const partial = `${path}.part`;
  try {
    const file = await open(partial, 'w');
    try {
      await file.writev(Buffer.isBuffer(data) ? [data] : [...data]);
    } finally {
      await file.close();
    }
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
