/** /usage: the command and its view. */
import { translation } from '../translation.js';
import type { usage as english } from './en-US.js';

export const usage = translation<typeof english>()({
  command: { name: '用量', description: '查看你和本服务器今天与本月的用量，以及剩余额度' },
  title: '用量',
  you_today: '你，今天',
  you_month: '你，本月',
  server_today: '本服务器，今天',
  server_month: '本服务器，本月',
  images_of: '已用 {used} / {limit} 张 · 剩余 {left} 张 · {resets}重置',
  images_unlimited: '已用 {used} 张（不限）',
  month_images: '{images} 张 · {usd} 美元',
  usd_of: '已花费 {used} 美元 / {limit} 美元 · 剩余 {left} 美元 · {resets}重置',
  usd_unlimited: '已花费 {used} 美元（不限）',
  in_progress: '进行中：{active} / {limit}',
  in_progress_unlimited: '进行中：{active}',
  dm_home: '你在私信中的生成费用计入服务器 {server}。',
  no_server: '你所在的服务器都不允许在私信中生成：只显示你自己的用量。',
  undelivered: '其中 {images} 张已计费但未送达（RunComfy 可能已经生成）。',
  footer: '金额在请求被接受时预先估算，完成后再按 RunComfy 的实际扣费修正。',
});
