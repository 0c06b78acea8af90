/**
 * `npm run bench:patterns`: what a prompt's count detection costs right after a full garbage
 * collection, the moment a busy bot meets many times a minute. Baseline, same run: the same
 * patterns through `String.prototype.matchAll`, which copies the regex each call (the copy is
 * compiled again once a GC has emptied V8's compilation cache). Needs node --expose-gc (the
 * npm script passes it).
 */
import { cpus, loadavg } from 'node:os';
import { CHINESE_COUNT } from '../src/models/seedream-sequential/chinese-count.js';
import { ENGLISH_COUNT } from '../src/models/seedream-sequential/english-count.js';
import { matchesOf } from '../src/models/seedream-sequential/matches.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:patterns)');
const PROMPTS = ['Generate 4 images: a lighthouse at dusk, a set of 4 postcards', '生成4張圖：黃昏的燈塔'];
const ROUNDS = Number(process.env.PATTERN_ROUNDS ?? 15);

const viaMatchAll = (text: string) => [...text.matchAll(ENGLISH_COUNT), ...text.matchAll(CHINESE_COUNT)].length;
const viaMatchesOf = (text: string) => [...matchesOf(ENGLISH_COUNT, text), ...matchesOf(CHINESE_COUNT, text)].length;

function afterGc(find: (text: string) => number): { median: number; max: number; cpu: number } {
  const times: number[] = [];
  let cpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Several collections: V8 drops a regex's compiled code once it has aged through a few.
    for (let k = 0; k < 3; k++) gc!();
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    for (const prompt of PROMPTS) find(prompt);
    const used = process.cpuUsage(cpu0);
    cpu += (used.user + used.system) / 1000;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times.at(-1)!, cpu: cpu / ROUNDS };
}

console.info(
  `count patterns after a full GC — node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
// Both warmed once (the first compile is paid by either).
viaMatchAll(PROMPTS[0]!);
viaMatchesOf(PROMPTS[0]!);
const baseline = afterGc(viaMatchAll);
const ours = afterGc(viaMatchesOf);
const row = (name: string, r: typeof ours) =>
  `  ${name.padEnd(34)} median ${r.median.toFixed(2)} ms  max ${r.max.toFixed(2)} ms  CPU ${r.cpu.toFixed(2)} ms  (${PROMPTS.length} prompts a round, ${ROUNDS} rounds)`;
console.info(row('baseline: String#matchAll', baseline));
console.info(row('matchesOf (the bot)', ours));
console.info(
  `  ratio (median, bot / baseline): ${(ours.median / baseline.median).toFixed(4)}× — ${(baseline.median / ours.median).toFixed(0)} times faster`,
);
console.info(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
