/**
 * Where contract checks are reported across a whole test run. When `DISCORD_CONTRACT_LOG`
 * names a file, every checked request and response is appended to it as one JSON line, from
 * whichever process runs the emulator (test workers, spawned CLIs and crash workers inherit
 * the variable). The test's name and whether it provokes violations on purpose come from
 * `DISCORD_CONTRACT_TEST` and `DISCORD_CONTRACT_EXPECTED`, which the test setup keeps current.
 */
import { appendFileSync } from 'node:fs';
import type { Violation } from './validate.js';

export const CONTRACT_LOG_ENV = 'DISCORD_CONTRACT_LOG';
export const CONTRACT_TEST_ENV = 'DISCORD_CONTRACT_TEST';
export const CONTRACT_EXPECTED_ENV = 'DISCORD_CONTRACT_EXPECTED';

export interface ContractRecord {
  kind: 'request' | 'response';
  route: string;
  violations: Violation[];
  test: string;
  expected: boolean;
  pid: number;
}

/** True when checks are reported (a test run); answers are only checked then, to keep benches fast. */
export function contractLogEnabled(): boolean {
  return !!process.env[CONTRACT_LOG_ENV];
}

export function reportContractCheck(kind: ContractRecord['kind'], route: string, violations: Violation[]): void {
  const file = process.env[CONTRACT_LOG_ENV];
  if (!file) return;
  const record: ContractRecord = {
    kind,
    route,
    violations,
    test: process.env[CONTRACT_TEST_ENV] ?? '(outside a test)',
    expected: process.env[CONTRACT_EXPECTED_ENV] === '1',
    pid: process.pid,
  };
  try {
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  } catch {
    // A run whose log vanished has nothing to report to; the answer to the bot stands.
  }
}
