/** /settings: the command, the view of a server’s settings and its answers. */
import { translation } from '../translation.js';
import type { settings as english } from './en-US.js';

export const settings = translation<typeof english>()({
  command: { name: '设置', description: '查看或更改本服务器使用机器人的方式（需要“管理服务器”权限）' },
  show: { name: '查看', description: '查看本服务器的默认值、限额、身份组、频道和私信设置' },
  defaults: {
    name: '默认值',
    description: '设置本服务器中 /imagine 的默认值',
    options: {
      count: { name: '张数', description: '默认图片张数（1–15）' },
      aspect: { name: '比例', description: '默认宽高比' },
      quality: { name: '质量', description: '默认质量' },
      reset: { name: '重置', description: '清除本服务器的默认值（恢复为模型的默认值）' },
    },
  },
  limits: {
    name: '限额',
    description: '设置本服务器的使用限额（0 表示不限）',
    options: {
      user_daily_images: { name: '每人每日张数', description: '每位成员每天（UTC）可生成的图片张数' },
      server_daily_images: { name: '服务器每日张数', description: '整个服务器每天（UTC）可生成的图片张数' },
      server_monthly_usd: { name: '服务器每月预算', description: '服务器每月可花费的金额（美元）' },
      user_active: { name: '每人同时进行', description: '每位成员可同时进行的生成任务数' },
      server_active: { name: '服务器同时进行', description: '整个服务器可同时进行的生成任务数' },
      reset: { name: '重置', description: '清除本服务器的限额（恢复为机器人的默认值）' },
    },
  },
  roles: {
    name: '身份组',
    description: '选择可以生成图片的身份组（未选择时所有人都可以）',
    options: {
      add: { name: '添加', description: '要允许的身份组' },
      remove: { name: '移除', description: '不再允许的身份组' },
      reset: { name: '重置', description: '恢复为所有人都可以' },
    },
  },
  channels: {
    name: '频道',
    description: '选择可以使用 /imagine 的频道（未选择时所有频道都可以）',
    options: {
      add: { name: '添加', description: '要允许的频道' },
      remove: { name: '移除', description: '不再允许的频道' },
      reset: { name: '重置', description: '恢复为所有频道都可以' },
    },
  },
  dms: {
    name: '私信',
    description: '允许或禁止成员在与机器人的私信中生成图片',
    options: {
      allowed: { name: '允许', description: '成员是否可以在私信中生成图片（费用计入本服务器）' },
    },
  },
  title: '本服务器的设置',
  field: {
    defaults: '/imagine 的默认值',
    limits: '限额',
    roles: '谁可以生成',
    channels: '可以使用 /imagine 的频道',
    dms: '在私信中生成',
  },
  defaults_line: '张数：{count} · 宽高比：{aspect} · 质量：{quality}',
  model_default: '{value}（模型默认）',
  limit: {
    user_daily_images: '每位成员每日张数：{value}',
    server_daily_images: '服务器每日张数：{value}',
    server_monthly_usd: '服务器每月预算：{value}',
    user_active: '每位成员同时进行的任务数：{value}',
    server_active: '服务器同时进行的任务数：{value}',
  },
  no_limit: '不限',
  usd: '{amount} 美元',
  bot_default: '{value}（机器人默认）',
  everyone: '所有人',
  everywhere: '所有频道',
  managers_note: '拥有“管理服务器”权限的成员始终可以生成。',
  dms_on: '允许，费用计入本服务器',
  dms_off: '不允许',
  saved: '已保存，从下一个请求开始生效。',
  nothing: '没有要更改的内容：请至少选择一个选项。',
  footer: '每日限额在 UTC 00:00 重置，每月限额在每月 1 日重置。',
});
