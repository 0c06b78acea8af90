/** The `result` messages in every locale (en-US is the source; see ../translation.ts). */
import { result as enUS } from './en-US.js';
import { result as zhCN } from './zh-CN.js';
import { result as zhTW } from './zh-TW.js';

export const result = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
