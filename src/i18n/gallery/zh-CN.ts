/** /gallery and /history: the commands, the gallery channel, its posts and the browser. */
import { translation } from '../translation.js';
import type { gallery as english } from './en-US.js';

export const gallery = translation<typeof english>()({
  command: { name: '画廊', description: '服务器的生成作品画廊' },
  setup: {
    name: '设置',
    description: '选择画廊频道，每组图片也会发布到这里（需要“管理服务器”）',
    options: { channel: { name: '频道', description: '文字、论坛或媒体频道' } },
  },
  off: { name: '关闭', description: '停止把图片发布到画廊（需要“管理服务器”）' },
  browse: {
    name: '浏览',
    description: '浏览这个服务器过去的作品，最新的在前',
    options: {
      user: { name: '成员', description: '只看这位成员的作品' },
      search: { name: '搜索', description: '提示词里的字词（中文或英文）' },
    },
  },
  history: {
    name: '历史记录',
    description: '浏览你自己在各服务器的作品',
    options: { search: { name: '搜索', description: '提示词里的字词（中文或英文）' } },
  },
  replies: {
    guild_only: '画廊属于服务器，请在服务器里使用这个命令。',
    need_manage_server: '只有拥有“管理服务器”权限的成员可以更改画廊。',
    wrong_type: '{channel} 不能用作画廊。请选择文字、论坛或媒体频道。',
    missing:
      '暂时无法使用 {channel} 作为画廊，我在那里缺少这些权限：{permissions}。请在频道设置的“权限”中授予后，再运行一次 /gallery setup。',
    ready_text: '完成：之后每组新图片也会发布到 {channel}，每组一条消息并附带子区。',
    ready_forum: '完成：之后每组新图片也会发布到 {channel}，每组一篇帖子，并按宽高比加上标签。',
    ready_media: '完成：之后每组新图片也会发布到 {channel}，每组一篇帖子，并按宽高比加上标签。',
    off: '画廊已关闭：新作品不会再发布到 {channel}，已发布的帖子会保留。',
    already_off: '当前没有设置画廊，无需关闭。',
    post_removed: '画廊中的帖子也已一并删除。',
  },
  list_separator: '、',
  permission: {
    ViewChannel: '查看频道',
    SendMessages: '发送消息',
    SendMessagesInThreads: '在子区中发送消息',
    EmbedLinks: '嵌入链接',
    AttachFiles: '附加文件',
    ReadMessageHistory: '阅读消息历史记录',
    ManageThreads: '管理子区',
    CreatePublicThreads: '创建公开子区',
    ManageChannels: '管理频道',
  },
  notice: {
    title: '画廊已暂停',
    next: '图片仍会照常发布在请求的频道。拥有“管理服务器”权限的成员修复后，请再运行一次 /gallery setup。这条通知只会发送一次，不会每组图片都发。',
  },
  post: {
    original: '原始结果',
    jump: '前往原始结果',
    references: '参考图片',
    references_value: '{count} 张参考图片',
    variation_of: '变化自',
    variation_value: '作品 {reference} 的第 {number} 张',
  },
  sheet_title: '总览（共 {total} 张）',
  browser: {
    page: '第 {page} 页，共 {total} 页',
    not_yours: '这个浏览器属于打开它的人。请运行 /gallery browse 或 /history 打开你自己的。',
    no_matches: '没有符合搜索条件的作品。',
    empty_guild: '这个服务器的画廊还没有作品。',
    empty_history: '你还没有任何作品，用 /imagine 来生成吧。',
    removed: '这组作品已被删除。',
    open_post: '打开帖子',
    open_result: '打开结果',
    made: '生成时间',
    where: '位置',
    in_dm: '私信中',
  },
});
