/** The messages that carry a finished set. */
import { translation } from '../translation.js';
import type { result as english } from './en-US.js';

export const result = translation<typeof english>()({
  image_title: '{number}/{total}',
  linked: '這張圖片太大，無法附加：{url}',
  details: '請求者 {requester} · 種子 {seed} · {size} · {quality} · 耗時 {duration}',
  partial: '模型回傳了 {received} 張，少於要求的 {requested} 張。',
  unusable: '第 {numbers} 張圖片無法使用，所以少顯示 {count} 張。',
  overview: '全部 {total} 張一覽，原尺寸圖片在上方。',
  overview_unavailable: '無法產生總覽圖；全部 {total} 張圖片都在上方。',
});
