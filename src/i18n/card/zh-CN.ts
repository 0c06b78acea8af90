/** The status card of a generation: its title, fields and status line. */
import { translation } from '../translation.js';
import type { card as english } from './en-US.js';

export const card = translation<typeof english>()({
  field: {
    count: '张数',
    aspect: '宽高比',
    seed: '种子',
    quality: '质量',
    requester: '请求者',
    status: '状态',
  },
  seed_random: '随机',
  quality: { fast: '快速', standard: '标准（质量更好、更慢）' },
  title: {
    submitted: '正在提交请求…',
    queued: '排队中',
    running: '生成中…',
    fetching: '正在获取图片…',
    delivering: '正在发布图片…',
    delivered: '完成',
    cancelled: '已取消',
    failed: '失败',
    timed_out: '超时',
    expired: '已过期',
    waiting: '等待空位中',
  },
  footer: '任务编号 {reference}',
  status: {
    submitted: '正在把请求发送到 RunComfy…',
    queued: '排队中。',
    queued_position: '排队中，当前第 {position} 位。',
    running: '{bar}\n开始：{started} · 预计完成：{eta}',
    fetching: '完成了！正在获取图片…',
    delivering: '正在发布图片…',
    delivered: '完成，共 {received} 张，用时 {duration}。',
    delivered_partial: '完成，收到 {received} 张（要求 {requested} 张，模型返回的比要求的少），用时 {duration}。',
    cancelled: '已在开始前取消，没有生成任何图片。',
    result_deleted: '图片已删除。',
    ended: '已停止：{reason}',
  },
});
