/** /settings: the command, the view of a server’s settings and its answers. */
import { translation } from '../translation.js';
import type { settings as english } from './en-US.js';

export const settings = translation<typeof english>()({
  command: { name: '設定', description: '查看或變更這個伺服器使用機器人的方式（需「管理伺服器」權限）' },
  show: { name: '查看', description: '查看這個伺服器的預設值、限額、身分組、頻道與私訊設定' },
  defaults: {
    name: '預設值',
    description: '設定這個伺服器中 /imagine 的預設值',
    options: {
      count: { name: '張數', description: '預設圖片張數（1–15）' },
      aspect: { name: '比例', description: '預設長寬比' },
      quality: { name: '品質', description: '預設品質' },
      reset: { name: '重設', description: '清除這個伺服器的預設值（改回模型的預設）' },
    },
  },
  limits: {
    name: '限額',
    description: '設定這個伺服器的使用限額（0 表示不限）',
    options: {
      user_daily_images: { name: '每人每日張數', description: '每位成員每天（UTC）可生成的圖片張數' },
      server_daily_images: { name: '伺服器每日張數', description: '整個伺服器每天（UTC）可生成的圖片張數' },
      server_monthly_usd: { name: '伺服器每月預算', description: '伺服器每月可花費的金額（美元）' },
      user_active: { name: '每人同時進行', description: '每位成員可同時進行的生成工作數' },
      server_active: { name: '伺服器同時進行', description: '整個伺服器可同時進行的生成工作數' },
      reset: { name: '重設', description: '清除這個伺服器的限額（改回機器人的預設）' },
    },
  },
  roles: {
    name: '身分組',
    description: '選擇可以生成圖片的身分組（未選擇時所有人都可以）',
    options: {
      add: { name: '加入', description: '要允許的身分組' },
      remove: { name: '移除', description: '不再允許的身分組' },
      reset: { name: '重設', description: '改回所有人都可以' },
    },
  },
  channels: {
    name: '頻道',
    description: '選擇可以使用 /imagine 的頻道（未選擇時所有頻道都可以）',
    options: {
      add: { name: '加入', description: '要允許的頻道' },
      remove: { name: '移除', description: '不再允許的頻道' },
      reset: { name: '重設', description: '改回所有頻道都可以' },
    },
  },
  dms: {
    name: '私訊',
    description: '允許或禁止成員在與機器人的私訊中生成圖片',
    options: {
      allowed: { name: '允許', description: '成員是否可以在私訊中生成圖片（費用計入這個伺服器）' },
    },
  },
  title: '這個伺服器的設定',
  field: {
    defaults: '/imagine 的預設值',
    limits: '限額',
    roles: '誰可以生成',
    channels: '可以使用 /imagine 的頻道',
    dms: '在私訊中生成',
  },
  defaults_line: '張數：{count} · 長寬比：{aspect} · 品質：{quality}',
  model_default: '{value}（模型預設）',
  limit: {
    user_daily_images: '每位成員每日張數：{value}',
    server_daily_images: '伺服器每日張數：{value}',
    server_monthly_usd: '伺服器每月預算：{value}',
    user_active: '每位成員同時進行的工作數：{value}',
    server_active: '伺服器同時進行的工作數：{value}',
  },
  no_limit: '不限',
  usd: '{amount} 美元',
  bot_default: '{value}（機器人預設）',
  everyone: '所有人',
  everywhere: '所有頻道',
  managers_note: '擁有「管理伺服器」權限的成員一律可以生成。',
  dms_on: '允許，費用計入這個伺服器',
  dms_off: '不允許',
  saved: '已儲存，從下一個請求開始生效。',
  nothing: '沒有要變更的項目：請至少選擇一個選項。',
  footer: '每日限額在 UTC 00:00 重置，每月限額在每月 1 日重置。',
});
