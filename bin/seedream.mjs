#!/usr/bin/env node
// The `seedream` command. tsx compiles the TypeScript sources in place, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
