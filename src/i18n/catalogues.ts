/**
 * The catalogue of each locale, assembled from the feature folders (src/i18n/<feature>/: one
 * file per locale; the first part of a key names its folder). en-US is the source of truth for
 * every key: zh-TW and zh-CN must have exactly its keys and, key by key, the same
 * `{placeholders}`, checked by the compiler (./translation.ts) and by test/i18n.
 */
import { buttons } from './buttons/index.js';
import { card } from './card/index.js';
import { commands } from './commands/index.js';
import { common } from './common/index.js';
import { errors } from './errors/index.js';
import { gallery } from './gallery/index.js';
import { info } from './info/index.js';
import { remix } from './remix/index.js';
import { replies } from './replies/index.js';
import { result } from './result/index.js';
import { settings } from './settings/index.js';
import { spending } from './spending/index.js';
import { usage } from './usage/index.js';

const FEATURES = {
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

type CatalogueLocale = keyof (typeof FEATURES)['common'];
type CatalogueOf<L extends CatalogueLocale> = { readonly [F in keyof typeof FEATURES]: (typeof FEATURES)[F][L] };

function catalogueOf<L extends CatalogueLocale>(locale: L): CatalogueOf<L> {
  return Object.fromEntries(
    Object.entries(FEATURES).map(([name, feature]) => [name, feature[locale]]),
  ) as CatalogueOf<L>;
}

export const enUS = catalogueOf('en-US');

/** The shape every locale shares: the same nesting, with any string at the leaves. */
export type MessageTree<T = typeof enUS> = {
  readonly [K in keyof T]: T[K] extends string ? string : MessageTree<T[K]>;
};

export const zhTW: MessageTree = catalogueOf('zh-TW');
export const zhCN: MessageTree = catalogueOf('zh-CN');
