/** /usage: the command and its view. */
import { translation } from '../translation.js';
import type { usage as english } from './en-US.js';

export const usage = translation<typeof english>()({
  command: { name: '用量', description: '查看你和這個伺服器今天與本月的用量，以及剩餘額度' },
  title: '用量',
  you_today: '你，今天',
  you_month: '你，本月',
  server_today: '這個伺服器，今天',
  server_month: '這個伺服器，本月',
  images_of: '已用 {used} / {limit} 張 · 剩餘 {left} 張 · {resets}重置',
  images_unlimited: '已用 {used} 張（不限）',
  month_images: '{images} 張 · {usd} 美元',
  usd_of: '已花費 {used} 美元 / {limit} 美元 · 剩餘 {left} 美元 · {resets}重置',
  usd_unlimited: '已花費 {used} 美元（不限）',
  in_progress: '進行中：{active} / {limit}',
  in_progress_unlimited: '進行中：{active}',
  dm_home: '你在私訊中的生成費用計入伺服器 {server}。',
  no_server: '你所在的伺服器都不允許在私訊中生成：只顯示你自己的用量。',
  undelivered: '其中 {images} 張已計費但沒有送達（RunComfy 可能已經生成）。',
  footer: '金額在請求被接受時先行估算，完成後再依 RunComfy 的實際扣款修正。',
});
