/** The `info` messages in every locale (en-US is the source; see ../translation.ts). */
import { info as enUS } from './en-US.js';
import { info as zhCN } from './zh-CN.js';
import { info as zhTW } from './zh-TW.js';

export const info = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
