/** Names and descriptions of /imagine, /cancel and /jobs as Discord lists them. */
import { translation } from '../translation.js';
import type { commands as english } from './en-US.js';

export const commands = translation<typeof english>()({
  imagine: {
    name: '生成图片',
    description: '用 Seedream 4.0 生成一组 1–15 张相关图片',
    options: {
      prompt: { name: '提示词', description: '想画什么？可以写明张数，例如“4 张锦鲤池海报”' },
      count: { name: '张数', description: '图片张数（1–15），需与提示词中的数字一致' },
      aspect: { name: '比例', description: '图片宽高比（默认 16:9）' },
      seed: { name: '种子', description: '固定种子可复现结果（留空则随机）' },
      quality: { name: '质量', description: '提示词优化：快速，或标准（质量更好、更慢）' },
      reference1: { name: '参考图1', description: '参考图 1（PNG、JPEG 或 WebP，≤ 50 MB）：整组图沿用它的主体或风格' },
      reference2: { name: '参考图2', description: '参考图 2（PNG、JPEG 或 WebP，≤ 50 MB）：整组图沿用它的主体或风格' },
      reference3: { name: '参考图3', description: '参考图 3（PNG、JPEG 或 WebP，≤ 50 MB）：整组图沿用它的主体或风格' },
      reference4: { name: '参考图4', description: '参考图 4（PNG、JPEG 或 WebP，≤ 50 MB）：整组图沿用它的主体或风格' },
    },
  },
  cancel: {
    name: '取消',
    description: '取消一个仍在排队的生成任务',
    options: { job: { name: '任务', description: '要取消的生成任务' } },
  },
  jobs: { name: '我的任务', description: '查看你正在进行的生成任务' },
});
