/** The `replies` messages in every locale (en-US is the source; see ../translation.ts). */
import { replies as enUS } from './en-US.js';
import { replies as zhCN } from './zh-CN.js';
import { replies as zhTW } from './zh-TW.js';

export const replies = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
