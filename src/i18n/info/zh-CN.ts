/** The private answer to Info on a result. */
import { translation } from '../translation.js';
import type { info as english } from './en-US.js';

export const info = translation<typeof english>()({
  title: '这组图片的参数',
  prompt_sent: '实际发送的提示词',
  prompt_own: '你写的提示词',
  seed: '种子',
  model: '模型',
  size: '尺寸',
  size_value: '{width}×{height} · {aspect}',
  quality: '质量',
  images: '张数',
  images_value: '要求 {requested} 张，收到 {received} 张',
  timings: '耗时',
  timings_value: '排队 {queued} · 生成 {generation} · 发送 {delivery} · 总计 {total}',
  cost: '费用',
  cost_charged: '实际扣费 {usd} 美元',
  cost_estimate: '约 {usd} 美元（估计）',
  cost_unknown: '未知',
  request: 'RunComfy 请求',
  request_none: '未发送到 RunComfy',
  reference: '任务编号',
  deleted: '这组图片已被删除，因此不再显示它的参数。',
});
