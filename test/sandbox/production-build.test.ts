/** Nothing of the browser sandbox ships: not compiled by the production build, its packages dev-only. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

describe('the production build', () => {
  it('compiles no file of the sandbox and none of its packages', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: root, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
    );
    const files = stdout.split('\n').filter(Boolean);
    expect(files.some((f) => f.startsWith(join(root, 'src') + sep))).toBe(true);
    expect(files.filter((f) => f.startsWith(join(root, 'sandbox') + sep))).toEqual([]);
    expect(files.filter((f) => /node_modules[\\/](playwright-core|esbuild)[\\/]/.test(f))).toEqual([]);
  }, 60_000);

  it('installs the sandbox’s packages only as dev dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of ['playwright-core', 'esbuild']) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.devDependencies[name]).toBeDefined();
    }
  });
});
