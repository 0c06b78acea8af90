/** The `card` messages in every locale (en-US is the source; see ../translation.ts). */
import { card as enUS } from './en-US.js';
import { card as zhCN } from './zh-CN.js';
import { card as zhTW } from './zh-TW.js';

export const card = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
