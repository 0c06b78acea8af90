/** The `errors` messages in every locale (en-US is the source; see ../translation.ts). */
import { errors as enUS } from './en-US.js';
import { errors as zhCN } from './zh-CN.js';
import { errors as zhTW } from './zh-TW.js';

export const errors = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
