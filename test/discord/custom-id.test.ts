import { describe, expect, it } from 'vitest';
import { jobCustomId } from '../../src/discord/actions/action.js';
import { cancelAction, cancelCustomId } from '../../src/discord/actions/cancel.js';
import { deleteAction, deleteCustomId } from '../../src/discord/actions/delete.js';
import { galleryNextAction, galleryPageId, galleryPreviousAction } from '../../src/discord/actions/gallery-page.js';
import { buttonActions } from '../../src/discord/actions/index.js';
import { infoAction, infoCustomId } from '../../src/discord/actions/info.js';
import { remixAction, remixCustomId, remixFormAction, remixFormCustomId } from '../../src/discord/actions/remix.js';
import { rerollAction, rerollCustomId } from '../../src/discord/actions/reroll.js';

describe('custom_ids', () => {
  it('round-trips every job action and stays within Discord’s 100 characters', () => {
    for (const [action, build] of [
      [cancelAction, cancelCustomId],
      [rerollAction, rerollCustomId],
      [deleteAction, deleteCustomId],
      [infoAction, infoCustomId],
      [remixAction, remixCustomId],
      [remixFormAction, remixFormCustomId],
    ] as const) {
      const id = build('1574899051944607744');
      // The longest job id a custom_id takes still fits.
      expect(build('a'.repeat(64)).length).toBeLessThanOrEqual(100);
      expect(id.length).toBeLessThanOrEqual(100);
      expect(action.parse(id)).toBe('1574899051944607744');
      // Exactly one action takes it: the router runs the first that parses.
      expect(buttonActions.filter((a) => a.bind(id) !== undefined).map((a) => a.name)).toEqual([action.name]);
    }
  });

  it('keeps the formats already shown in servers', () => {
    expect(cancelCustomId('abc123')).toBe('sd1:cancel:abc123');
    expect(rerollCustomId('abc123')).toBe('sd1:reroll:abc123');
    expect(deleteCustomId('abc123')).toBe('sd1:delete:abc123');
    expect(infoCustomId('abc123')).toBe('sd1:info:abc123');
    expect(remixCustomId('abc123')).toBe('sd1:remix:abc123');
    expect(remixFormCustomId('abc123')).toBe('sd1:remix-form:abc123');
    expect(galleryPageId('gprev', '0123456789', 4)).toBe('sd1:gprev:0123456789-4');
    expect(galleryPageId('gnext', '0123456789', 4)).toBe('sd1:gnext:0123456789-4');
    expect(galleryPreviousAction.parse('sd1:gprev:0123456789-4')).toEqual({ browserId: '0123456789', page: 4 });
    expect(galleryNextAction.parse('sd1:gnext:abcdef0123-0')).toEqual({ browserId: 'abcdef0123', page: 0 });
  });

  it.each([
    'sd0:cancel:123',
    'sd1:explode:123',
    'sd1:cancel:',
    'sd1:cancel:{"id":1}',
    'sd1:cancel:12:34',
    'sd1:cancel:../../etc',
    `sd1:cancel:${'9'.repeat(65)}`,
    'sd1:gnext:0123456789',
    'sd1:gnext:0123456789-1234567',
    'sd1:gprev:XYZ-1',
    'sd1:info:',
    'sd1:remix-form:12:34',
    'sd1:remixform:123',
    '',
  ])('no action takes %j', (raw) => {
    expect(buttonActions.filter((a) => a.bind(raw) !== undefined)).toEqual([]);
  });

  it('answers a click only with a button action and a form’s submit only with a modal action', () => {
    expect(buttonActions.filter((a) => a.kind === 'modal').map((a) => a.name)).toEqual(['remix-form']);
    expect(remixAction.kind).toBe('button');
    expect(infoAction.kind).toBe('button');
  });

  it('refuses to build one from an unusable id', () => {
    expect(() => jobCustomId('cancel', 'has space')).toThrow();
    expect(() => cancelCustomId('has space')).toThrow();
  });
});
