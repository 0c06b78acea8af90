/** The `spending` messages in every locale (en-US is the source; see ../translation.ts). */
import { spending as enUS } from './en-US.js';
import { spending as zhCN } from './zh-CN.js';
import { spending as zhTW } from './zh-TW.js';

export const spending = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
