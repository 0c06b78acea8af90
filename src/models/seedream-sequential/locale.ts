/**
 * The locales this folder knows. Discord sends many more (`en-GB`, `fr`…) and other surfaces
 * (the CLI) may send `zh-HK` or `zh-Hant`, so the helpers take any string and fold it onto these.
 */
export const SEEDREAM_LOCALES = ['en-US', 'zh-TW', 'zh-CN'] as const;
export type SeedreamLocale = (typeof SEEDREAM_LOCALES)[number];

export type ChineseScript = 'zh-Hant' | 'zh-Hans';

/** Traditional for Taiwan, Hong Kong, Macau and explicit `Hant`; Simplified for other `zh`. */
export function chineseScriptOfLocale(locale: string | undefined): ChineseScript | undefined {
  if (!locale) return undefined;
  const tag = locale.trim().toLowerCase().replace(/_/g, '-');
  if (!/^zh(-|$)/.test(tag)) return undefined;
  return /^zh-(tw|hk|mo|hant)(-|$)/.test(tag) ? 'zh-Hant' : 'zh-Hans';
}

/** The supported locale to use for labels; anything that is not Chinese reads English. */
export function toSeedreamLocale(locale: string | undefined): SeedreamLocale {
  const script = chineseScriptOfLocale(locale);
  if (script === 'zh-Hant') return 'zh-TW';
  if (script === 'zh-Hans') return 'zh-CN';
  return 'en-US';
}
