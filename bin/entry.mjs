// Runs one of the bot's entry points: the compiled one under dist/ once `npm run build` has made
// it (production, the image), else the TypeScript sources through tsx (a development checkout,
// where tsx is installed). A build older than the sources is not run while they can be.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
    }
  }
  return newest;
}

async function tsxAvailable() {
  try {
    const { register } = await import('tsx/esm/api');
    return register;
  } catch {
    return undefined;
  }
}

/** `path` is the entry without extension, relative to the repository, e.g. `src/main`. */
export async function runEntry(path) {
  const compiled = new URL(`dist/${path}.js`, root);
  const sources = ['src', 'commands'].map((dir) => fileURLToPath(new URL(dir, root))).filter(existsSync);
  const built = existsSync(compiled) ? statSync(compiled).mtimeMs : undefined;
  const stale = built !== undefined && sources.some((dir) => newestSource(dir) > built);
  const register = built === undefined || stale ? await tsxAvailable() : undefined;
  if (built !== undefined && !(stale && register)) {
    await import(compiled.href);
    return;
  }
  if (!register) {
    process.stderr.write(`Nothing to run: build the bot first (npm run build), then start again.\n`);
    process.exit(1);
  }
  if (stale) process.stderr.write('(dist/ is older than the sources: running the sources; npm run build updates it)\n');
  register();
  await import(new URL(`${path}.ts`, root).href);
}
