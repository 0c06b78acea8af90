/** The `gallery` messages in every locale (en-US is the source; see ../translation.ts). */
import { gallery as enUS } from './en-US.js';
import { gallery as zhCN } from './zh-CN.js';
import { gallery as zhTW } from './zh-TW.js';

export const gallery = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
