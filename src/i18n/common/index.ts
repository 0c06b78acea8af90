/** The `common` messages in every locale (en-US is the source; see ../translation.ts). */
import { common as enUS } from './en-US.js';
import { common as zhCN } from './zh-CN.js';
import { common as zhTW } from './zh-TW.js';

export const common = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
