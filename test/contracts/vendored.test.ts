import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACTS_DIR, SHARED_CONTRACTS_DIR } from './contract-schemas.js';

const sharedExists = existsSync(SHARED_CONTRACTS_DIR);

describe('vendored contracts', () => {
  // A clone on its own has no ../shared; CI and the workspace have it.
  it.skipIf(!sharedExists)('are byte-identical to ../shared/contracts/, every file of it', () => {
    const shared = readdirSync(SHARED_CONTRACTS_DIR).filter((name) => name.endsWith('.json'));
    expect(shared.length).toBeGreaterThan(0);
    for (const name of shared) {
      const vendored = new URL(name, CONTRACTS_DIR);
      expect(existsSync(vendored), `contracts/${name} is missing`).toBe(true);
      const same = readFileSync(vendored).equals(readFileSync(new URL(name, SHARED_CONTRACTS_DIR)));
      expect(same, `contracts/${name} differs from ../shared/contracts/${name}: copy it over again`).toBe(true);
    }
  });

  it('parse as JSON', () => {
    for (const name of readdirSync(CONTRACTS_DIR).filter((n) => n.endsWith('.json'))) {
      expect(() => JSON.parse(readFileSync(new URL(name, CONTRACTS_DIR), 'utf8')), name).not.toThrow();
    }
  });
});
