/** The status card of a generation: its title, fields and status line. */
import { translation } from '../translation.js';
import type { card as english } from './en-US.js';

export const card = translation<typeof english>()({
  field: {
    count: '張數',
    aspect: '長寬比',
    seed: '種子',
    quality: '品質',
    requester: '請求者',
    status: '狀態',
  },
  seed_random: '隨機',
  quality: { fast: '快速', standard: '標準（品質較好、較慢）' },
  title: {
    submitted: '正在送出請求…',
    queued: '排隊中',
    running: '生成中…',
    fetching: '正在取得圖片…',
    delivering: '正在發布圖片…',
    delivered: '完成',
    cancelled: '已取消',
    failed: '失敗',
    timed_out: '逾時',
    expired: '已過期',
    waiting: '等候空位中',
  },
  footer: '工作編號 {reference}',
  status: {
    submitted: '正在把請求送到 RunComfy…',
    queued: '排隊中。',
    queued_position: '排隊中，目前第 {position} 位。',
    running: '{bar}\n開始：{started} · 預計完成：{eta}',
    fetching: '完成了！正在取得圖片…',
    delivering: '正在發布圖片…',
    delivered: '完成，共 {received} 張，耗時 {duration}。',
    delivered_partial: '完成，收到 {received} 張（要求 {requested} 張，模型回傳的比要求的少），耗時 {duration}。',
    cancelled: '已在開始前取消，沒有生成任何圖片。',
    result_deleted: '圖片已刪除。',
    ended: '已停止：{reason}',
  },
});
