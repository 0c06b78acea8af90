/** Reading JSON log lines as text: what JSON.parse hides (a key written twice keeps the last). */

/** Keys that appear more than once in the same object of `line`, as "path.key". */
export function duplicateKeys(line: string): string[] {
  const found: string[] = [];
  // One frame per open object/array: the keys seen so far (arrays have none).
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  let expectKey = false;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (line[j] !== '"') {
        if (line[j] === '\\') {
          text += line.slice(j, j + 2);
          j += 2;
        } else text += line[j++];
      }
      const frame = stack.at(-1);
      if (expectKey && frame) {
        if (frame.has(text)) found.push(text);
        frame.add(text);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack.at(-1) instanceof Set;
    }
    i++;
  }
  return found;
}
