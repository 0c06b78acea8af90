/** Names and descriptions of /imagine, /cancel and /jobs as Discord lists them. */
import { translation } from '../translation.js';
import type { commands as english } from './en-US.js';

export const commands = translation<typeof english>()({
  imagine: {
    name: '生成圖片',
    description: '用 Seedream 4.0 生成一組 1–15 張相關的圖片',
    options: {
      prompt: { name: '提示詞', description: '想畫什麼？可以寫明張數，例如「4 張錦鯉池海報」' },
      count: { name: '張數', description: '圖片張數（1–15），需與提示詞裡的數字一致' },
      aspect: { name: '比例', description: '圖片的長寬比（預設 16:9）' },
      seed: { name: '種子', description: '固定種子可重現結果（留空則隨機）' },
      quality: { name: '品質', description: '提示詞優化：快速，或標準（品質較好、較慢）' },
      reference1: { name: '參考圖1', description: '參考圖 1（PNG、JPEG 或 WebP，≤ 50 MB）：整組圖沿用它的主體或風格' },
      reference2: { name: '參考圖2', description: '參考圖 2（PNG、JPEG 或 WebP，≤ 50 MB）：整組圖沿用它的主體或風格' },
      reference3: { name: '參考圖3', description: '參考圖 3（PNG、JPEG 或 WebP，≤ 50 MB）：整組圖沿用它的主體或風格' },
      reference4: { name: '參考圖4', description: '參考圖 4（PNG、JPEG 或 WebP，≤ 50 MB）：整組圖沿用它的主體或風格' },
    },
  },
  cancel: {
    name: '取消',
    description: '取消一個仍在排隊中的生成工作',
    options: { job: { name: '任務', description: '要取消的生成工作' } },
  },
  jobs: { name: '我的任務', description: '查看你正在進行的生成工作' },
});
