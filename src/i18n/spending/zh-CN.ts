/** What a set costs and where it waits, as cards show it. */
import { translation } from '../translation.js';
import type { spending as english } from './en-US.js';

export const spending = translation<typeof english>()({
  cost_field: '费用',
  cost_estimate: '约 {usd} 美元（{count} × {price} 美元）',
  cost_charged: '实际扣费 {usd} 美元',
  result_charged: '实际扣费：{usd} 美元',
  waiting: '正在机器人的队列中等待：一有空位就会发送到 RunComfy。现在仍可取消。',
  waiting_position: '正在机器人的队列中等待，当前第 {position} 位：一有空位就会发送到 RunComfy。现在仍可取消。',
  waiting_short: '等待空位中（第 {position} 位）',
});
