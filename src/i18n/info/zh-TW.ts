/** The private answer to Info on a result. */
import { translation } from '../translation.js';
import type { info as english } from './en-US.js';

export const info = translation<typeof english>()({
  title: '這組圖片的參數',
  prompt_sent: '實際送出的提示詞',
  prompt_own: '你寫的提示詞',
  seed: '種子',
  model: '模型',
  size: '尺寸',
  size_value: '{width}×{height} · {aspect}',
  quality: '品質',
  images: '張數',
  images_value: '要求 {requested} 張，收到 {received} 張',
  timings: '耗時',
  timings_value: '等候 {queued} · 生成 {generation} · 發送 {delivery} · 總計 {total}',
  cost: '費用',
  cost_charged: '實際扣款 {usd} 美元',
  cost_estimate: '約 {usd} 美元（估計）',
  cost_unknown: '不明',
  request: 'RunComfy 請求',
  request_none: '未送到 RunComfy',
  reference: '工作編號',
  deleted: '這組圖片已被刪除，因此不再顯示它的參數。',
});
