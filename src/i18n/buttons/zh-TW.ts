/** Labels of the buttons under cards and results. */
import { translation } from '../translation.js';
import type { buttons as english } from './en-US.js';

export const buttons = translation<typeof english>()({
  cancel: '取消',
  cancel_numbered: '取消 #{number}',
  reroll: '重新生成',
  info: '參數',
  remix: '修改重繪',
  delete: '刪除',
  vary_placeholder: '以其中一張再變化…',
  vary_image: '變化第 {number} 張',
});
