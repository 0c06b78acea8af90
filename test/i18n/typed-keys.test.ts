/**
 * Typed messages. Each `@ts-expect-error` below is a mistake the compiler must refuse: if it ever
 * compiled, `tsc --noEmit` would fail on the unused directive. The run-time lines pin down what
 * the same calls do when the types are bypassed (plain JavaScript, a cast).
 */
import { describe, expect, it } from 'vitest';
import type { card } from '../../src/i18n/card/en-US.js';
import { t, tDynamic } from '../../src/i18n/index.js';
import { translation } from '../../src/i18n/translation.js';

describe('t() params are typed per key', () => {
  it('takes exactly the placeholders of the en-US template', () => {
    expect(t('en-US', 'card.title.queued')).toBe('Waiting in the queue');
    expect(t('en-US', 'common.count_summary', { received: 2, requested: 3 })).toBe('2 of 3 images');
    // A union of keys asks for the params of all of them.
    const state = ['queued', 'running'][0] as 'queued' | 'running';
    expect(t('en-US', `card.title.${state}`)).toBe('Waiting in the queue');

    // @ts-expect-error -- a missing param: {requested} is not given.
    expect(t('en-US', 'common.count_summary', { received: 2 })).toBe('2 of {requested} images');
    // @ts-expect-error -- a misspelt param: {recieved} is not a placeholder of the template.
    expect(t('en-US', 'common.count_summary', { recieved: 2, requested: 3 })).toBe('{received} of 3 images');
    // @ts-expect-error -- no params at all for a template that has placeholders.
    expect(t('en-US', 'card.footer')).toBe('Job {reference}');
    // @ts-expect-error -- params for a template that has none.
    expect(t('en-US', 'card.title.queued', { position: 1 })).toBe('Waiting in the queue');
    // @ts-expect-error -- a key that is not in the catalogue (reported as a missing argument: K falls back to every key).
    expect(t('en-US', 'card.title.queueing')).toBe('card.title.queueing');
  });

  it('leaves keys known only at run time to tDynamic, which says when there is no such message', () => {
    expect(tDynamic('zh-TW', 'errors.gallery_post_refused', { channel: '#art' })).toContain('#art');
    expect(tDynamic('zh-TW', 'errors.no_such_code')).toBeUndefined();
    expect(tDynamic('en-US', 'card.title')).toBeUndefined(); // a branch, not a message
  });
});

describe('a translation must mirror en-US', () => {
  const declare = translation<typeof card>();
  const good = {
    field: { count: '張數', aspect: '長寬比', seed: '種子', quality: '品質', requester: '請求者', status: '狀態' },
    seed_random: '隨機',
    quality: { fast: '快速', standard: '標準' },
    title: {
      submitted: '送出',
      queued: '排隊中',
      running: '生成中',
      fetching: '取得中',
      delivering: '發布中',
      delivered: '完成',
      cancelled: '已取消',
      failed: '失敗',
      timed_out: '逾時',
      expired: '已過期',
      waiting: '等候中',
    },
    footer: '工作編號 {reference}',
    status: {
      submitted: '送出中',
      queued: '排隊中。',
      queued_position: '第 {position} 位。',
      running: '{bar}\n{started} · {eta}',
      fetching: '取得中',
      delivering: '發布中',
      delivered: '{received} 張，{duration}。',
      delivered_partial: '{received}/{requested}，{duration}。',
      cancelled: '已取消。',
      result_deleted: '已刪除。',
      ended: '停止：{reason}',
    },
  } as const;

  it('compiles when keys and placeholders match, and refuses a missing, misspelt or extra one', () => {
    expect(declare(good).footer).toBe('工作編號 {reference}');

    const missingPlaceholder = declare({
      ...good,
      // @ts-expect-error -- zh-TW drops {reference}.
      footer: '工作編號',
    });
    const misspeltPlaceholder = declare({
      ...good,
      // @ts-expect-error -- zh-TW writes {refrence}.
      footer: '工作編號 {refrence}',
    });
    const extraPlaceholder = declare({
      ...good,
      // @ts-expect-error -- zh-TW adds {position}, which en-US never fills in.
      footer: '工作編號 {reference} {position}',
    });
    // @ts-expect-error -- zh-TW lacks the key `seed_random`.
    const missingKey = declare({
      field: good.field,
      quality: good.quality,
      title: good.title,
      footer: good.footer,
      status: good.status,
    });
    const extraKey = declare({
      ...good,
      // @ts-expect-error -- zh-TW has a key en-US does not.
      subtitle: '副標題',
    });
    // The check is the compiler's; at run time the tree passes through untouched.
    for (const tree of [missingPlaceholder, misspeltPlaceholder, extraPlaceholder, missingKey, extraKey])
      expect(typeof tree).toBe('object');
  });
});
