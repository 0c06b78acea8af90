/**
 * Vitest setup file: keeps the current test's name where the Discord emulator's contract log
 * reads it (an environment variable, so processes a test spawns inherit it too).
 */
import { relative } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { CONTRACT_EXPECTED_ENV, CONTRACT_TEST_ENV } from '../../src/emulators/discord/contract/log.js';

const testPath = expect.getState().testPath;
const file = testPath ? relative(process.cwd(), testPath) : '(unknown file)';
process.env[CONTRACT_TEST_ENV] = `${file} (hooks)`;
delete process.env[CONTRACT_EXPECTED_ENV];

beforeEach(() => {
  process.env[CONTRACT_TEST_ENV] = `${file} > ${expect.getState().currentTestName ?? '?'}`;
  delete process.env[CONTRACT_EXPECTED_ENV];
});

afterEach(() => {
  process.env[CONTRACT_TEST_ENV] = `${file} (hooks)`;
  delete process.env[CONTRACT_EXPECTED_ENV];
});
