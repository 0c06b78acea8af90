/**
 * The layout the README promises, checked on the sources: no import cycle under src/ (type-only
 * imports count: they tie two files together just the same), only the composition root imports
 * the slash commands in commands/, and no production file over 400 lines unless it is listed
 * below with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const COMMANDS = join(ROOT, 'commands');

/** The files that build the running programs: the only ones that may import commands/. */
const COMPOSITION_ROOT = ['src/app.ts', 'src/deploy-commands.ts'];

const MAX_LINES = 400;
/** Production files allowed over MAX_LINES, each with why. */
const LONG_FILES: Record<string, string> = {
  // Over the limit on this branch, each in a part another helper of issue 13 owns: its split
  // is theirs, and whoever brings it under removes its line here.
};

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const rel = (path: string) => relative(ROOT, path).split('\\').join('/');

/** Every relative module a file names: `import … from`, `export … from`, `import '…'` and `import('…')`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s+['"](\.{1,2}\/[^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Each elementary cycle once, as the files around it starting from its smallest name. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).map(rel);
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const turned = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(turned.join(' → '), turned);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

describe('how the code is laid out', () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));

  it('has no import cycle under src/', () => {
    const cycles = findCycles(graph).map((cycle) => [...cycle, cycle[0]].join(' → '));
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    expect(
      findCycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['src/a.ts', 'src/b.ts']]);
  });

  it('lets only the composition root import commands/', () => {
    const importers = files
      .filter((file) => importsOf(file).some((target) => target === COMMANDS || target.startsWith(`${COMMANDS}/`)))
      .map(rel)
      .sort();
    expect(importers.filter((file) => !COMPOSITION_ROOT.includes(file))).toEqual([]);
  });

  it(`keeps production files under ${MAX_LINES} lines, but those allowed with a reason`, () => {
    const production = [...files, ...sourceFiles(COMMANDS)].filter((file) => !rel(file).startsWith('src/emulators/'));
    const long = production
      .map((file) => ({ file: rel(file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long.filter(({ file }) => !(file in LONG_FILES))).toEqual([]);
    // An allowance outlives its reason: a file back under the limit leaves the list.
    for (const file of Object.keys(LONG_FILES)) expect(long.map((l) => l.file)).toContain(file);
  });
});
