/**
 * Simplified Chinese as written on the mainland (提示词、宽高比、“”), assembled from the feature
 * folders. Keys and placeholders mirror en-US.
 */
import { buttons } from '../buttons/zh-CN.js';
import { card } from '../card/zh-CN.js';
import { commands } from '../commands/zh-CN.js';
import { common } from '../common/zh-CN.js';
import { errors } from '../errors/zh-CN.js';
import { gallery } from '../gallery/zh-CN.js';
import { info } from '../info/zh-CN.js';
import { remix } from '../remix/zh-CN.js';
import { replies } from '../replies/zh-CN.js';
import { result } from '../result/zh-CN.js';
import { settings } from '../settings/zh-CN.js';
import { spending } from '../spending/zh-CN.js';
import { usage } from '../usage/zh-CN.js';
import type { MessageTree } from './en-US.js';

export const zhCN: MessageTree = {
  common,
  commands,
  card,
  buttons,
  replies,
  result,
  info,
  remix,
  spending,
  settings,
  usage,
  gallery,
  errors,
};
