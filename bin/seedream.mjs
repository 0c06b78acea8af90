#!/usr/bin/env node
// The `seedream` command: the compiled CLI once `npm run build` has run, else the TypeScript
// sources through tsx (a development checkout, where tsx is installed).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
