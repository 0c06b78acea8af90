/**
 * Traditional Chinese as written in Taiwan (提示詞、長寬比、「」), assembled from the feature
 * folders. Keys and placeholders mirror en-US.
 */
import { buttons } from '../buttons/zh-TW.js';
import { card } from '../card/zh-TW.js';
import { commands } from '../commands/zh-TW.js';
import { common } from '../common/zh-TW.js';
import { errors } from '../errors/zh-TW.js';
import { gallery } from '../gallery/zh-TW.js';
import { info } from '../info/zh-TW.js';
import { remix } from '../remix/zh-TW.js';
import { replies } from '../replies/zh-TW.js';
import { result } from '../result/zh-TW.js';
import { settings } from '../settings/zh-TW.js';
import { spending } from '../spending/zh-TW.js';
import { usage } from '../usage/zh-TW.js';
import type { MessageTree } from './en-US.js';

export const zhTW: MessageTree = {
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
