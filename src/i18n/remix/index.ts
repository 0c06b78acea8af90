/** The `remix` messages in every locale (en-US is the source; see ../translation.ts). */
import { remix as enUS } from './en-US.js';
import { remix as zhCN } from './zh-CN.js';
import { remix as zhTW } from './zh-TW.js';

export const remix = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
