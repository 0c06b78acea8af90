/**
 * Lays a prompt out over a few lines for the placeholder images: Latin text breaks between
 * words, CJK text between characters, and an ellipsis appears only when the prompt truly does
 * not fit, after the last whole word that does. Widths are estimates in em of DejaVu Sans (the
 * font the frames ask for), rounded up so a line never overflows.
 */

export interface CaptionLayout {
  lines: string[];
  /** The prompt did not fit: the last line ends with an ellipsis. */
  truncated: boolean;
}

const ELLIPSIS = '…';

/** Han, kana, hangul, CJK punctuation, full-width forms and emoji: one em each. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;
/** CJK characters a line may break before and after (ideographs, kana, hangul syllables). */
const BREAKS_ANYWHERE = /[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]/u;
/** Closing punctuation that must not start a line: it stays with the character before it. */
const NO_LINE_START = /[，。、；：！？）」』】〉》”’,.;:!?)\]}]/u;

export function charWidthEm(char: string): number {
  if (WIDE.test(char)) return 1;
  if (/[mwMW@%&]/.test(char)) return 0.9;
  if (/[A-Z0-9#$?]/.test(char)) return 0.7;
  if (/[\s.,:;!'|()[\]{}ijlfrtI-]/.test(char)) return 0.4;
  return 0.6;
}

export function textWidthEm(text: string): number {
  let width = 0;
  for (const char of text) width += charWidthEm(char);
  return width;
}

interface Token {
  text: string;
  /** A space separated it from the token before (kept when both end up on one line). */
  spaced: boolean;
}

/** Words, single CJK characters (with any closing punctuation after them) and the spaces between. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let spaced = false;
  let word = '';
  const flush = () => {
    if (word === '') return;
    tokens.push({ text: word, spaced });
    word = '';
    spaced = false;
  };
  for (const char of text) {
    if (/\s/u.test(char)) {
      flush();
      spaced = tokens.length > 0;
    } else if (NO_LINE_START.test(char) && word === '' && tokens.length > 0 && !spaced) {
      tokens[tokens.length - 1]!.text += char;
    } else if (BREAKS_ANYWHERE.test(char)) {
      flush();
      tokens.push({ text: char, spaced });
      spaced = false;
    } else {
      word += char;
    }
  }
  flush();
  return tokens;
}

/**
 * At most `maxLines` lines no wider than `maxWidthEm`. A single word wider than a line (a URL)
 * is split by characters rather than dropped.
 */
export function wrapCaption(text: string, maxWidthEm: number, maxLines: number): CaptionLayout {
  const lines: string[] = [];
  let line = '';
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const joined = line === '' ? token.text : `${line}${token.spaced ? ' ' : ''}${token.text}`;
    if (textWidthEm(joined) <= maxWidthEm) {
      line = joined;
      continue;
    }
    if (line !== '') {
      if (lines.length + 1 === maxLines) return { lines: [...lines, withEllipsis(line, maxWidthEm)], truncated: true };
      lines.push(line);
      line = '';
    }
    // The token starts a line; a token wider than a whole line is cut by characters.
    let rest = token.text;
    while (textWidthEm(rest) > maxWidthEm) {
      const head = fitChars(rest, maxWidthEm);
      if (lines.length + 1 === maxLines) return { lines: [...lines, withEllipsis(head, maxWidthEm)], truncated: true };
      lines.push(head);
      rest = rest.slice(head.length);
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return { lines, truncated: false };
}

/** The line with an ellipsis, dropping whole words (or CJK characters) from its end until it fits. */
function withEllipsis(line: string, maxWidthEm: number): string {
  const tokens = tokenize(line);
  while (tokens.length > 1) {
    const text = joinTokens(tokens).replace(/[\s,;:，、；：]+$/u, '');
    if (textWidthEm(text + ELLIPSIS) <= maxWidthEm) return text + ELLIPSIS;
    tokens.pop();
  }
  return fitChars(joinTokens(tokens), maxWidthEm - charWidthEm(ELLIPSIS)) + ELLIPSIS;
}

function joinTokens(tokens: Token[]): string {
  return tokens.map((t, i) => (i > 0 && t.spaced ? ` ${t.text}` : t.text)).join('');
}

/** The longest start of `text` (whole code points, at least one) within `maxWidthEm`. */
function fitChars(text: string, maxWidthEm: number): string {
  let out = '';
  let width = 0;
  for (const char of text) {
    width += charWidthEm(char);
    if (width > maxWidthEm && out !== '') break;
    out += char;
  }
  return out;
}
