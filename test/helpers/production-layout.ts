/**
 * The product as the image holds it, in a temporary folder: `npm run build`'s output
 * (tsconfig.build.json), package.json and its lock, and a node_modules of the production
 * dependencies only: every package the lock does not mark `dev`, copied from this checkout
 * (npm ci --omit=dev installs the same set, but compiles sqlite3 for minutes when offline).
 * Copies, not links: Node resolves a linked package's own imports from where it really is.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const lockSchema = z.object({
  packages: z.record(z.string(), z.object({ dev: z.boolean().optional() }).loose()),
});

export interface ProductionLayout {
  dir: string;
  /** Packages copied, and dev-only packages left out. */
  copied: number;
  leftOut: string[];
}

export async function buildProductionLayout(): Promise<ProductionLayout> {
  const dir = mkdtempSync(join(tmpdir(), 'seedream-prod-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // Asynchronous: the test process's event loop (emulators, vitest's own RPC) keeps running.
  await promisify(execFile)(process.execPath, [
    tsc,
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(dir, 'dist'),
  ]);
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  const lock = lockSchema.parse(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')));
  const entries = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
  let copied = 0;
  const leftOut: string[] = [];
  // Outer packages first; a nested copy comes with its parent, a dev-only nested one is removed.
  for (const [path, info] of entries.sort(([a], [b]) => a.length - b.length)) {
    const nested = path.lastIndexOf('/node_modules/') > 0;
    if (info.dev) {
      leftOut.push(path);
      if (nested) rmSync(join(dir, path), { recursive: true, force: true });
      continue;
    }
    if (nested || !existsSync(join(ROOT, path))) continue; // nested: came with its parent; absent: another platform's optional
    cpSync(join(ROOT, path), join(dir, path), { recursive: true, verbatimSymlinks: true });
    copied++;
  }
  return { dir, copied, leftOut };
}
