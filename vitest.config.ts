import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // No test may see a developer's own .env (src/env.ts dotEnvPath); children get it explicitly.
    env: { SEEDREAM_ENV_FILE: 'none' },
    // Every request to the Discord emulator is checked against Discord's spec; see contract-global.ts.
    globalSetup: ['test/helpers/contract-global.ts'],
    setupFiles: ['test/helpers/contract-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real servers on port 0 in every file: keep parallelism modest on 2-core machines.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
