/** The `usage` messages in every locale (en-US is the source; see ../translation.ts). */
import { usage as enUS } from './en-US.js';
import { usage as zhCN } from './zh-CN.js';
import { usage as zhTW } from './zh-TW.js';

export const usage = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
