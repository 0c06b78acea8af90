/** Pieces several messages share. */
import { translation } from '../translation.js';
import type { common as english } from './en-US.js';

export const common = translation<typeof english>()({
  reference: '參考編號：{reference}',
  count_summary: '已收到 {received} 張（共 {requested} 張）',
});
