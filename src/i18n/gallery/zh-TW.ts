/** /gallery and /history: the commands, the gallery channel, its posts and the browser. */
import { translation } from '../translation.js';
import type { gallery as english } from './en-US.js';

export const gallery = translation<typeof english>()({
  command: { name: '畫廊', description: '伺服器的生成作品畫廊' },
  setup: {
    name: '設定',
    description: '選擇畫廊頻道，每組圖片也會發佈到這裡（需要「管理伺服器」）',
    options: { channel: { name: '頻道', description: '文字、論壇或媒體頻道' } },
  },
  off: { name: '關閉', description: '停止把圖片發佈到畫廊（需要「管理伺服器」）' },
  browse: {
    name: '瀏覽',
    description: '瀏覽這個伺服器過去的作品，最新的在前',
    options: {
      user: { name: '成員', description: '只看這位成員的作品' },
      search: { name: '搜尋', description: '提示詞裡的字詞（中文或英文）' },
    },
  },
  history: {
    name: '歷史紀錄',
    description: '瀏覽你自己在各伺服器的作品',
    options: { search: { name: '搜尋', description: '提示詞裡的字詞（中文或英文）' } },
  },
  replies: {
    guild_only: '畫廊屬於伺服器，請在伺服器裡使用這個指令。',
    need_manage_server: '只有擁有「管理伺服器」權限的成員可以變更畫廊。',
    wrong_type: '{channel} 不能當作畫廊。請選擇文字、論壇或媒體頻道。',
    missing:
      '目前還無法使用 {channel} 當作畫廊，我在那裡缺少這些權限：{permissions}。請在頻道設定的「權限」中授予後，再執行一次 /gallery setup。',
    ready_text: '完成：之後每組新圖片也會發佈到 {channel}，每組一則訊息並附上討論串。',
    ready_forum: '完成：之後每組新圖片也會發佈到 {channel}，每組一篇貼文，並依長寬比加上標籤。',
    ready_media: '完成：之後每組新圖片也會發佈到 {channel}，每組一篇貼文，並依長寬比加上標籤。',
    off: '畫廊已關閉：新作品不會再發佈到 {channel}，已發佈的貼文會保留。',
    already_off: '目前沒有設定畫廊，不需要關閉。',
    post_removed: '畫廊中的貼文也已一併刪除。',
  },
  list_separator: '、',
  permission: {
    ViewChannel: '檢視頻道',
    SendMessages: '傳送訊息',
    SendMessagesInThreads: '在討論串中傳送訊息',
    EmbedLinks: '嵌入連結',
    AttachFiles: '附加檔案',
    ReadMessageHistory: '讀取訊息歷史',
    ManageThreads: '管理討論串',
    CreatePublicThreads: '建立公開討論串',
    ManageChannels: '管理頻道',
  },
  notice: {
    title: '畫廊已暫停',
    next: '圖片仍會照常發佈在請求的頻道。擁有「管理伺服器」權限的成員修正後，請再執行一次 /gallery setup。這則通知只會發送一次，不會每組圖片都發。',
  },
  post: {
    original: '原始結果',
    jump: '前往原始結果',
    references: '參考圖片',
    references_value: '{count} 張參考圖片',
    variation_of: '變化自',
    variation_value: '作品 {reference} 的第 {number} 張',
  },
  sheet_title: '總覽（共 {total} 張）',
  browser: {
    page: '第 {page} 頁，共 {total} 頁',
    not_yours: '這個瀏覽器屬於開啟它的人。請執行 /gallery browse 或 /history 開啟你自己的。',
    no_matches: '沒有符合搜尋條件的作品。',
    empty_guild: '這個伺服器的畫廊還沒有作品。',
    empty_history: '你還沒有任何作品，用 /imagine 來生成吧。',
    removed: '這組作品已被刪除。',
    open_post: '開啟貼文',
    open_result: '開啟結果',
    made: '生成時間',
    where: '位置',
    in_dm: '私訊中',
  },
});
