/** The `commands` messages in every locale (en-US is the source; see ../translation.ts). */
import { commands as enUS } from './en-US.js';
import { commands as zhCN } from './zh-CN.js';
import { commands as zhTW } from './zh-TW.js';

export const commands = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN } as const;
