/** The `buttons` messages in every locale (en-US is the source; see ../translation.ts). */
import { buttons as enUS } from './en-US.js';
import { buttons as zhCN } from './zh-CN.js';
import { buttons as zhTW } from './zh-TW.js';

export const buttons = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
