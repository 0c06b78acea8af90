/**
 * Every match of a global regex, on that very regex object. `String.prototype.matchAll` copies
 * the regex for each call, and the copy is compiled again whenever a garbage collection has
 * emptied V8's compilation cache: for the count patterns (large, Unicode) that is about 80 ms
 * of blocked event loop per prompt once a few full GCs have passed (`npm run bench:patterns`).
 * Synchronous, so sharing `lastIndex` is safe.
 */
export function* matchesOf(regex: RegExp, text: string): Generator<RegExpExecArray> {
  regex.lastIndex = 0;
  try {
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      yield match;
      if (match[0] === '') regex.lastIndex++;
    }
  } finally {
    regex.lastIndex = 0;
  }
}
