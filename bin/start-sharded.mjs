#!/usr/bin/env node
// `npm run start:sharded` (see entry.mjs: the compiled launcher once built, else the sources).
import { runEntry } from './entry.mjs';

await runEntry('src/shard-launcher');
