/** Short private answers to buttons and to /cancel and /jobs. */
import { translation } from '../translation.js';
import type { replies as english } from './en-US.js';

export const replies = translation<typeof english>()({
  not_yours_delete: '只有请求生成这些图片的人或管理员可以删除它们。',
  deleted: '已删除 {count} 条消息。',
  not_yours_cancel: '只有发起本次生成的人或管理员可以取消它。',
  cancel_cancelled: '已取消。它还在排队，所以没有生成任何图片。',
  cancel_not_cancellable: '它已经开始生成，RunComfy 无法中途停止。图片完成后会照常发送。',
  cancel_already_ended: '本次生成已经结束。',
  restarting: '机器人正在重新启动，请稍后再试。',
  button_expired: '这个按钮已失效，请重新执行命令。',
  not_visible_here: '这个按钮不属于这里显示的图片组，所以在这里无法使用。',
  reroll_deleted: '这组图片已被删除，无法重新生成。',
  vary_deleted: '这组图片已被删除，无法再变化。',
  vary_image_gone: '结果消息里已没有这张图片，无法再变化。',
  slow_down: '慢一点：请在 {seconds} 秒后再试。',
  no_active_jobs: '你目前没有正在进行的生成任务。',
  started: '{when}开始',
  jobs_title: '你正在进行的生成任务',
});
