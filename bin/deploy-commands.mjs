#!/usr/bin/env node
// `npm run deploy-commands` (see entry.mjs: the compiled script once built, else the sources).
import { runEntry } from './entry.mjs';

await runEntry('src/deploy-commands');
