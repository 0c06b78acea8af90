/** What a set costs and where it waits, as cards show it. */
import { translation } from '../translation.js';
import type { spending as english } from './en-US.js';

export const spending = translation<typeof english>()({
  cost_field: '費用',
  cost_estimate: '約 {usd} 美元（{count} × {price} 美元）',
  cost_charged: '實際扣款 {usd} 美元',
  result_charged: '實際扣款：{usd} 美元',
  waiting: '正在機器人的佇列中等候：一有空位就會送到 RunComfy。現在仍可取消。',
  waiting_position: '正在機器人的佇列中等候，目前第 {position} 位：一有空位就會送到 RunComfy。現在仍可取消。',
  waiting_short: '等候空位中（第 {position} 位）',
});
