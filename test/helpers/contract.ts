import { CONTRACT_EXPECTED_ENV } from '../../src/emulators/discord/contract/log.js';

/**
 * Marks the current test as sending bodies that break Discord's spec on purpose: they are still
 * refused with 50035, but do not fail the run. Call it inside the test (or in a beforeEach).
 */
export function provokesContractViolations(): void {
  process.env[CONTRACT_EXPECTED_ENV] = '1';
}

/** Runs `fn` (which sends a body that breaks the spec on purpose) with its violations marked as expected. */
export async function provokingContractViolations<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.env[CONTRACT_EXPECTED_ENV];
  process.env[CONTRACT_EXPECTED_ENV] = '1';
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[CONTRACT_EXPECTED_ENV];
    else process.env[CONTRACT_EXPECTED_ENV] = before;
  }
}
