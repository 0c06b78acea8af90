#!/usr/bin/env node
// `npm start` (see entry.mjs: the compiled bot once built, else the sources).
import { runEntry } from './entry.mjs';

await runEntry('src/main');
