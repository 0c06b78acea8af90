/**
 * Vitest global setup: one contract log for the whole run (every emulator, in every worker and
 * spawned process, appends to it), and at the end the count of requests and answers checked per
 * route. A run with even one violation not marked as provoked on purpose fails, naming the
 * route, the field and the test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_LOG_ENV, type ContractRecord } from '../../src/emulators/discord/contract/log.js';

export default function setup(): () => void {
  // A log named by the caller is kept (and added to), so runs made in batches can be summed up.
  const given = process.env[CONTRACT_LOG_ENV];
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'discord-contract-'));
  const file = given ?? join(dir!, 'checks.jsonl');
  if (!existsSync(file)) writeFileSync(file, '');
  process.env[CONTRACT_LOG_ENV] = file;
  return () => {
    try {
      report(readFileSync(file, 'utf8'));
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  };
}

export function summarise(text: string): { lines: string[]; unexpected: string[] } {
  const counts = new Map<string, { requests: number; answers: number; refused: number }>();
  const unexpected: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line) as ContractRecord;
    const count = counts.get(record.route) ?? { requests: 0, answers: 0, refused: 0 };
    if (record.kind === 'request') count.requests++;
    else count.answers++;
    if (record.violations.length > 0) {
      count.refused++;
      if (!record.expected || record.kind === 'response') {
        for (const v of record.violations) {
          unexpected.push(`${record.kind} ${record.route}: ${v.field} ${v.code} (${v.message}) in "${record.test}"`);
        }
      }
    }
    counts.set(record.route, count);
  }
  const lines = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([route, c]) =>
        `  ${route}: ${c.requests} request bodies, ${c.answers} answers checked` +
        (c.refused > 0 ? ` (${c.refused} refused on purpose)` : ''),
    );
  return { lines, unexpected };
}

function report(text: string): void {
  const { lines, unexpected } = summarise(text);
  const total = text.split('\n').filter(Boolean).length;
  console.log(`\ncontract: ${total} checks against Discord's spec\n${lines.join('\n')}`);
  if (unexpected.length > 0) {
    throw new Error(`contract: ${unexpected.length} violation(s) of Discord's spec\n  ${unexpected.join('\n  ')}`);
  }
  console.log('contract: 0 violations');
}
