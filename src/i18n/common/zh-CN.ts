/** Pieces several messages share. */
import { translation } from '../translation.js';
import type { common as english } from './en-US.js';

export const common = translation<typeof english>()({
  reference: '参考编号：{reference}',
  count_summary: '已收到 {received} 张（共 {requested} 张）',
});
