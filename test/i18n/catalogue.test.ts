import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AbortedError, AppError, InputError } from '../../src/errors.js';
import { enUS } from '../../src/i18n/catalogues.js';
import {
  CATALOGUES,
  errorMessage,
  isMessageKey,
  matchLocale,
  newReference,
  placeholdersOf,
  resolveLocale,
  SUPPORTED_LOCALES,
  t,
} from '../../src/i18n/index.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { RunComfyAuthError, RunComfyValidationError } from '../../src/runcomfy/errors.js';

const srcRoot = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every leaf of a catalogue as [dotted key, text]. */
function leaves(tree: unknown, prefix = ''): Array<[string, string]> {
  return Object.entries(tree as Record<string, unknown>).flatMap(([name, value]) =>
    typeof value === 'string' ? [[`${prefix}${name}`, value] as [string, string]] : leaves(value, `${prefix}${name}.`),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Error codes the bot can raise, read from the source: `new XxxError('code'`, `super('code'`,
 * `code: 'code'` (job failures), `failureOf(error, 'code')` fallbacks and the RunComfy code union.
 * The emulators are test doubles (their errors never reach a user); i18n is what we check.
 */
function errorCodesInSource(): Map<string, string> {
  const patterns = [
    /new\s+[A-Z]\w*Error\(\s*'([a-z][a-z0-9_]*)'/g,
    /\bsuper\(\s*'([a-z][a-z0-9_]*)'/g,
    /\bcode:\s*'([a-z][a-z0-9_]*)'/g,
    /\bfailureOf\([^()]*'([a-z][a-z0-9_]*)'\)/g,
  ];
  const codes = new Map<string, string>();
  for (const file of sourceFiles(srcRoot)) {
    const rel = relative(srcRoot, file);
    if (rel.startsWith('emulators') || rel.startsWith('i18n')) continue;
    const text = readFileSync(file, 'utf8');
    const found = patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
    if (rel === join('runcomfy', 'errors.ts'))
      found.push(...[...text.matchAll(/'(runcomfy_[a-z_]+)'/g)].map((m) => m[1]!));
    for (const code of found) if (!codes.has(code)) codes.set(code, rel);
  }
  return codes;
}

describe('the catalogue', () => {
  const english = leaves(enUS);

  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en-US'))('%s has exactly the keys of en-US', (locale) => {
    const translated = leaves(CATALOGUES[locale]);
    expect(translated.map(([key]) => key).sort()).toEqual(english.map(([key]) => key).sort());
  });

  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en-US'))('%s uses the placeholders of en-US, key by key', (locale) => {
    const translated = new Map(leaves(CATALOGUES[locale]));
    for (const [key, text] of english) {
      const theirs = translated.get(key) ?? '';
      expect({ key, placeholders: placeholdersOf(theirs).sort() }).toEqual({
        key,
        placeholders: placeholdersOf(text).sort(),
      });
    }
  });

  it('has no empty or untranslated messages', () => {
    const english = new Map(leaves(CATALOGUES['en-US']));
    for (const locale of SUPPORTED_LOCALES) {
      for (const [key, text] of leaves(CATALOGUES[locale])) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        // Language-neutral templates (no words, e.g. "{number}/{total}") read the same everywhere.
        const neutral = !/\p{L}/u.test((english.get(key) ?? '').replace(/\{\w+\}/g, ''));
        if (locale !== 'en-US' && !neutral) expect(text, `${locale} ${key} reads Chinese`).toMatch(/\p{Script=Han}/u);
      }
    }
  });

  it('zh-TW is Traditional and zh-CN Simplified, not the same text', () => {
    const tw = new Map(leaves(CATALOGUES['zh-TW']));
    const cn = new Map(leaves(CATALOGUES['zh-CN']));
    expect(tw.get('errors.prompt_empty')).toContain('提示詞');
    expect(cn.get('errors.prompt_empty')).toContain('提示词');
    const same = [...tw].filter(([key, text]) => key.startsWith('errors.') && cn.get(key) === text);
    expect(same).toEqual([]);
  });

  it('has a message for every error code raised in src/', () => {
    const codes = errorCodesInSource();
    // The scan must see the codes we know are there, or it proves nothing.
    for (const known of [
      'prompt_too_long',
      'seed_invalid',
      'runcomfy_auth',
      'user_active_limit',
      'job_timed_out',
      'aborted',
    ]) {
      expect(codes.has(known), `scan finds ${known}`).toBe(true);
    }
    const missing = [...codes]
      .filter(([code]) => !isMessageKey(`errors.${code}`))
      .map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('keeps Discord command names valid and descriptions within 100 characters', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const [key, text] of leaves(CATALOGUES[locale])) {
        if (!key.startsWith('commands.')) continue;
        if (key.endsWith('.name')) expect(text, key).toMatch(/^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u);
        if (key.endsWith('.description')) expect([...text].length, `${locale} ${key}`).toBeLessThanOrEqual(100);
      }
    }
  });

  it('covers the codes the UI promises', () => {
    for (const code of [
      'unknown',
      'runcomfy_submit_uncertain',
      'user_active_limit',
      'job_not_found',
      'generation_failed',
      'job_timed_out',
      'images_expired',
      'output_empty',
      'output_malformed',
      'delivery_failed',
      'aborted',
    ]) {
      expect(isMessageKey(`errors.${code}`), code).toBe(true);
    }
  });
});

describe('t', () => {
  it('substitutes params and keeps unknown placeholders visible', () => {
    expect(t('en-US', 'errors.user_active_limit', { limit: 2, active: 3 })).toBe(
      'You already have 3 generations in progress (the limit is 2). Wait for one to finish or cancel one, then try again.',
    );
    expect(t('zh-TW', 'common.reference', { reference: 'AB12CD' })).toBe('參考編號：AB12CD');
    // @ts-expect-error -- {requested} is missing on purpose: the compiler refuses it, and at run time it stays visible.
    expect(t('en-US', 'common.count_summary', { received: 2 })).toBe('2 of {requested} images');
  });

  it('falls back from a locale to the nearest one we speak', () => {
    const tw = t('zh-TW', 'errors.prompt_empty');
    const cn = t('zh-CN', 'errors.prompt_empty');
    const en = t('en-US', 'errors.prompt_empty');
    for (const locale of ['zh-HK', 'zh-MO', 'zh-Hant', 'zh_Hant_HK', 'ZH-tw'])
      expect(t(locale, 'errors.prompt_empty'), locale).toBe(tw);
    for (const locale of ['zh', 'zh-SG', 'zh-Hans', 'zh-Hans-HK', 'zh-CN'])
      expect(t(locale, 'errors.prompt_empty'), locale).toBe(cn);
    for (const locale of ['en-GB', 'fr', 'ja', '', 'nonsense'])
      expect(t(locale, 'errors.prompt_empty'), locale).toBe(en);
  });

  it('resolves a Discord user locale, then the server locale, then English', () => {
    expect(resolveLocale('zh-TW', 'en-US')).toBe('zh-TW');
    expect(resolveLocale('fr', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale('en-GB', 'zh-TW')).toBe('en-US');
    expect(resolveLocale(undefined, undefined)).toBe('en-US');
    expect(resolveLocale('ko', 'de')).toBe('en-US');
    expect(matchLocale('pt-BR')).toBeUndefined();
  });
});

describe('errorMessage', () => {
  const secret = 'sk-live-SECRET-1234 at https://internal.example/v1?token=abc';

  it('never shows the raw message of any error', () => {
    const errors: unknown[] = [
      new Error(secret),
      new TypeError(secret),
      new AppError('runcomfy_auth', secret),
      new AppError('no_such_code_anywhere', secret),
      new RunComfyAuthError(secret, { status: 401 }),
      Object.assign(new Error(secret), { code: 'ECONNREFUSED' }),
      secret,
      { message: secret },
      null,
      undefined,
    ];
    for (const error of errors) {
      for (const locale of SUPPORTED_LOCALES) {
        const { text, reference } = errorMessage(locale, error);
        expect(text).not.toContain('SECRET');
        expect(text).not.toContain('internal.example');
        expect(text).not.toMatch(/\bat .*\.ts:\d+/);
        expect(reference).toMatch(/^[A-Z2-7]{6}$/);
      }
    }
  });

  it('reads the message of a known code with its params', () => {
    let thrown: unknown;
    try {
      buildSeedreamInput({ prompt: 'Generate 3 images of a cat', count: 5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect(errorMessage('en-US', thrown)).toMatchObject({
      code: 'count_mismatch',
      text: 'Your prompt asks for 3 images but the count option says 5. Make them match, or leave the count option out.',
    });
    expect(errorMessage('zh-CN', thrown).text).toBe(
      '提示词写的是 3 张，但张数选项是 5 张。请让两者一致，或不填张数选项。',
    );
    const validation = new RunComfyValidationError('x', [{ field: 'seed', message: 'bad' }]);
    expect(errorMessage('zh-TW', validation).text).toContain('seed');
  });

  it('reads unknown errors, aborts and half-made params sensibly', () => {
    expect(errorMessage('en-US', new Error('boom'))).toMatchObject({
      code: 'unknown',
      text: t('en-US', 'errors.unknown'),
    });
    expect(errorMessage('zh-TW', new AbortedError()).code).toBe('aborted');
    expect(errorMessage('en-US', new DOMException('stop', 'AbortError')).code).toBe('aborted');
    // user_active_limit needs {limit} and {active}: without them the generic message is shown.
    expect(errorMessage('en-US', new AppError('user_active_limit', 'x')).code).toBe('unknown');
  });

  it('gives a different reference each time', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newReference()));
    expect(seen.size).toBeGreaterThan(195);
  });
});
