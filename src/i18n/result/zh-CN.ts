/** The messages that carry a finished set. */
import { translation } from '../translation.js';
import type { result as english } from './en-US.js';

export const result = translation<typeof english>()({
  image_title: '{number}/{total}',
  linked: '这张图片太大，无法作为附件：{url}',
  details: '请求者 {requester} · 种子 {seed} · {size} · {quality} · 用时 {duration}',
  partial: '模型返回了 {received} 张，少于要求的 {requested} 张。',
  unusable: '第 {numbers} 张图片无法使用，所以少显示 {count} 张。',
  overview: '全部 {total} 张一览，原尺寸图片在上方。',
  overview_unavailable: '无法生成总览图；全部 {total} 张图片都在上方。',
});
