import { describe, expect, it } from 'vitest';
import { customId, parseCustomId } from '../../src/discord/custom-id.js';

describe('custom_ids', () => {
  it('round-trips every action and stays within Discord’s 100 characters', () => {
    for (const action of ['cancel', 'reroll', 'delete'] as const) {
      const id = customId(action, '1574899051944607744');
      expect(id.length).toBeLessThanOrEqual(100);
      expect(parseCustomId(id)).toEqual({ action, jobId: '1574899051944607744' });
    }
  });

  it.each([
    'sd0:cancel:123',
    'sd1:explode:123',
    'sd1:cancel:',
    'sd1:cancel:{"id":1}',
    'sd1:cancel:12:34',
    'sd1:cancel:../../etc',
    `sd1:cancel:${'9'.repeat(65)}`,
    '',
  ])('rejects %j', (raw) => {
    expect(parseCustomId(raw)).toBeUndefined();
  });

  it('refuses to build one from an unusable id', () => {
    expect(() => customId('cancel', 'has space')).toThrow();
  });
});
