#!/usr/bin/env node
// The `seedream` command (see entry.mjs: the compiled CLI once built, else the sources).
import { runEntry } from './entry.mjs';

await runEntry('src/cli/main');
