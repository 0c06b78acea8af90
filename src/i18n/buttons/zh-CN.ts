/** Labels of the buttons under cards and results. */
import { translation } from '../translation.js';
import type { buttons as english } from './en-US.js';

export const buttons = translation<typeof english>()({
  cancel: '取消',
  cancel_numbered: '取消 #{number}',
  reroll: '重新生成',
  info: '参数',
  remix: '修改重绘',
  delete: '删除',
  vary_placeholder: '以其中一张再变化…',
  vary_image: '变化第 {number} 张',
});
