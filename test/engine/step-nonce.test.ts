import { describe, expect, it } from 'vitest';
import { MAX_NONCE_LENGTH, stepNonce } from '../../src/engine/steps.js';

describe('delivery step nonces', () => {
  it('fit Discord’s 25 characters, are stable, and differ per job and per step', () => {
    const jobIds = ['1311768467294899695', '9223372036854775807', '1'];
    const keys = ['part:0', 'part:1', 'part:14', 'overview', 'gallery', 'gallery:part:1', 'x'.repeat(200)];
    const seen = new Set<string>();
    for (const jobId of jobIds) {
      for (const key of keys) {
        const nonce = stepNonce(jobId, key);
        expect(nonce.length).toBeLessThanOrEqual(MAX_NONCE_LENGTH);
        expect(nonce).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(stepNonce(jobId, key)).toBe(nonce);
        seen.add(nonce);
      }
    }
    expect(seen.size).toBe(jobIds.length * keys.length);
    // The job id and the key are not simply concatenated: ("1", "1x") and ("11", "x") differ.
    expect(stepNonce('1', '1x')).not.toBe(stepNonce('11', 'x'));
  });
});
