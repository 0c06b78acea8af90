/** The `settings` messages in every locale (en-US is the source; see ../translation.ts). */
import { settings as enUS } from './en-US.js';
import { settings as zhCN } from './zh-CN.js';
import { settings as zhTW } from './zh-TW.js';

export const settings = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
