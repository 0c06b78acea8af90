/**
 * en-US, the source of truth for every message key, assembled from the feature folders
 * (src/i18n/<feature>/en-US.ts; the first part of a key names its folder). zh-TW and zh-CN must
 * have exactly these keys and, key by key, the same `{placeholders}`: each feature's
 * translation is checked by the compiler (src/i18n/translation.ts) and by test/i18n.
 */
import { buttons } from '../buttons/en-US.js';
import { card } from '../card/en-US.js';
import { commands } from '../commands/en-US.js';
import { common } from '../common/en-US.js';
import { errors } from '../errors/en-US.js';
import { gallery } from '../gallery/en-US.js';
import { info } from '../info/en-US.js';
import { remix } from '../remix/en-US.js';
import { replies } from '../replies/en-US.js';
import { result } from '../result/en-US.js';
import { settings } from '../settings/en-US.js';
import { spending } from '../spending/en-US.js';
import { usage } from '../usage/en-US.js';

export const enUS = {
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
} as const;

/** The shape every locale shares: the same nesting, with any string at the leaves. */
export type MessageTree<T = typeof enUS> = {
  readonly [K in keyof T]: T[K] extends string ? string : MessageTree<T[K]>;
};
