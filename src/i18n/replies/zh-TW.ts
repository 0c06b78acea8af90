/** Short private answers to buttons and to /cancel and /jobs. */
import { translation } from '../translation.js';
import type { replies as english } from './en-US.js';

export const replies = translation<typeof english>()({
  not_yours_delete: '只有要求生成這些圖片的人或管理員可以刪除它們。',
  deleted: '已刪除 {count} 則訊息。',
  not_yours_cancel: '只有發起這次生成的人或管理員可以取消它。',
  cancel_cancelled: '已取消。它還在排隊中，所以沒有生成任何圖片。',
  cancel_not_cancellable: '它已經開始生成了，RunComfy 無法中途停止。圖片完成後會照常送達。',
  cancel_already_ended: '這次生成已經結束了。',
  restarting: '機器人正在重新啟動，請稍後再試一次。',
  button_expired: '這個按鈕已經失效，請重新執行指令。',
  not_visible_here: '這個按鈕不屬於這裡顯示的圖片組，所以在這裡無法使用。',
  reroll_deleted: '這組圖片已被刪除，無法重新生成。',
  vary_deleted: '這組圖片已被刪除，無法再變化。',
  vary_image_gone: '結果訊息裡已沒有這張圖片，無法再變化。',
  slow_down: '慢一點：請在 {seconds} 秒後再試。',
  no_active_jobs: '你目前沒有正在進行的生成工作。',
  started: '{when}開始',
  jobs_title: '你正在進行的生成工作',
});
