/**
 * No user-facing text is written outside the language files: every `content:`, `label:`,
 * `title:`, `description:` and `name:` in the Discord layer and the commands, and every string
 * handed straight to reply/editReply/followUp/update/send, must come from `t(...)` (or the
 * catalogue through `named(...)`). Literals are allowed only when they carry no words: emoji,
 * punctuation, numbers and `${…}` placeholders, URLs and custom_ids, plus the short list below.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['src/discord', 'commands'];

/**
 * Literals that are words but not language, each with its reason. None is needed today: the
 * only literals left are emoji (pager arrows), `>>> ${prompt}` quotes and `${…}` joins.
 */
const ALLOWED: ReadonlyArray<{ file: string; text: string; reason: string }> = [];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** A string literal: '…', "…" or `…` (template parts included). */
const LITERAL = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|` + '`(?:[^`\\\\]|\\\\.)*`)';
const PATTERNS = [
  new RegExp(String.raw`\b(content|label|title|description|name)\s*:\s*` + LITERAL, 'g'),
  // A lone string argument (a store's update('namespace', …) is not a message).
  new RegExp(String.raw`\.(reply|editReply|followUp|update|send)\(\s*` + LITERAL + String.raw`(?=\s*\))`, 'g'),
];

/** True when a literal could be read as words in some language. */
function isWords(literal: string): boolean {
  const body = literal.slice(1, -1);
  if (/^(https?|attachment):\/\//.test(body) || /^sd\d+:/.test(body)) return false;
  const text = body
    .replace(/\$\{[^}]*\}/g, '')
    .replace(/\{\w+\}/g, '')
    .replace(/\\[nt]/g, ' ');
  return /\p{L}/u.test(text);
}

/** `file:line  position: literal` for every wordy literal in one source text. */
function findHardCoded(source: string, file: string): string[] {
  const found: string[] = [];
  // Comments say things; they are not shown.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:])\/\/.*$/gm, '$1');
  for (const pattern of PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const literal = match[2]!;
      if (!isWords(literal)) continue;
      const text = literal.slice(1, -1);
      if (ALLOWED.some((a) => a.file === file && a.text === text)) continue;
      const line = code.slice(0, match.index).split('\n').length;
      found.push(`${file}:${line}  ${match[1]}: ${literal}`);
    }
  }
  return found;
}

describe('no user-facing string is written outside the language files', () => {
  it('the scanner catches what it should, and lets the rest through', () => {
    // `$` + `{` is spelled apart so the sample's template placeholders stay plain text here.
    const p = (expression: string) => `$${'{'}${expression}}`;
    const sample = [
      "reply({ content: 'Hello there' })",
      `embed = { title: \`Job ${p('id')} done\` }`,
      "button = { label: 'Cancel #' + n }",
      "interaction.followUp('Sorry!')",
      `{ name: t(locale, 'x'), description: \`>>> ${p('prompt')}\`, label: '◀', title: '{number}/{total}' }`,
      `{ url: 'https://discord.com/x', content: \`${p('a')}\\n${p('b')}\`, name: '1:1' }`,
      "// content: 'just a comment'",
      "store.update('galleries', key, schema, change)",
    ].join('\n');
    const found = findHardCoded(sample, 'sample.ts');
    expect(found.map((f) => f.split('  ')[1])).toEqual([
      "content: 'Hello there'",
      `title: \`Job ${p('id')} done\``,
      "label: 'Cancel #'",
      "followUp: 'Sorry!'",
    ]);
  });

  it('src/discord and commands have none', () => {
    const scanned = SCANNED.flatMap((dir) => files(join(root, dir)));
    expect(scanned.length).toBeGreaterThan(10);
    const found = scanned.flatMap((path) => findHardCoded(readFileSync(path, 'utf8'), relative(root, path)));
    expect(found).toEqual([]);
    // Every allow-listed literal still exists (the list does not rot).
    for (const allowed of ALLOWED) expect(readFileSync(join(root, allowed.file), 'utf8')).toContain(allowed.text);
  });
});
