/** Remix on a result: the form and its private refusals. */
import { translation } from '../translation.js';
import type { remix as english } from './en-US.js';

export const remix = translation<typeof english>()({
  title: '修改重繪：新的提示詞，相同的設定',
  prompt_label: '提示詞',
  prompt_description: '長寬比、品質和模型不變，種子重新選擇。',
  count_label: '張數（{min}–{max}）',
  deleted: '這組圖片已被刪除，因此無法修改重繪。',
});
