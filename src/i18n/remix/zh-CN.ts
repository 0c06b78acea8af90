/** Remix on a result: the form and its private refusals. */
import { translation } from '../translation.js';
import type { remix as english } from './en-US.js';

export const remix = translation<typeof english>()({
  title: '修改重绘：新的提示词，相同的设置',
  prompt_label: '提示词',
  prompt_description: '宽高比、质量和模型不变，种子重新选择。',
  count_label: '张数（{min}–{max}）',
  deleted: '这组图片已被删除，因此无法修改重绘。',
});
