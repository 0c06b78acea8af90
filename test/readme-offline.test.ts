/**
 * The README's "Try it offline", literally, in a clean copy of the repository: both emulators,
 * `.env` from the lines they print, `npm run deploy-commands`, `npm start`, then
 * `/imagine prompt:"a lighthouse at dusk" count:4` typed into the Discord emulator's terminal,
 * and the finished card and its 4 images read from that terminal's own output.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The tracked files as they are now (else the tree without ignored folders), node_modules linked, `../shared` beside it as in a checkout. */
function cleanCopy(): string {
  const base = mkdtempSync(join(tmpdir(), 'seedream-readme-'));
  const repo = join(base, 'repo');
  let files: string[] | undefined;
  try {
    files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    // Not a git checkout (an unpacked archive): everything but what git would ignore.
    const skip = new Set(['node_modules', '.git', 'data', 'out', 'dist', 'coverage', '.env']);
    cpSync(ROOT, repo, { recursive: true, filter: (path) => !skip.has(relative(ROOT, path).split(sep)[0]!) });
  }
  for (const file of files ?? []) {
    if (!existsSync(join(ROOT, file))) continue; // deleted but not yet committed
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(repo, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir');
  if (existsSync(join(ROOT, '../shared'))) symlinkSync(join(ROOT, '../shared'), join(base, 'shared'), 'dir');
  return repo;
}

/** A child started as a user would in a terminal; its output is collected as it comes. */
class Terminal {
  output = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(cwd: string, args: string[]) {
    // Only what a fresh shell has: nothing of this process's DISCORD_*/RUNCOMFY_* or npm_config_*.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? cwd,
      NO_UPDATE_NOTIFIER: '1',
    };
    this.child = spawn('npm', ['run', '--silent', ...args], {
      cwd,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      for (const wake of this.waiters) wake();
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.exitCode = code;
        for (const wake of this.waiters) wake();
        resolve(code);
      }),
    );
  }

  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Resolves with the first match of `pattern` in the output so far or to come; fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.output.slice(from));
        if (!match && this.exitCode === undefined) return;
        done();
        if (match) resolve(match);
        else reject(new Error(`Exited (${this.exitCode}) before printing ${pattern}; output:\n${this.output}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${pattern}; output so far:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Ends the whole process group (npm, its shell and node): SIGTERM, then SIGKILL for anything left after 3 s. */
  async stop(): Promise<void> {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, name);
      } catch {
        // the group is gone
      }
    };
    signal('SIGTERM');
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    signal('SIGKILL');
  }
}

/** `KEY=value` lines an emulator printed for `.env`. */
function envLines(output: string): string[] {
  return output.split('\n').filter((line) => /^[A-Z][A-Z0-9_]*=\S+$/.test(line));
}

describe('README: Try it offline', () => {
  let repo: string;
  const terminals: Terminal[] = [];
  const open = (...args: string[]) => {
    const terminal = new Terminal(repo, args);
    terminals.push(terminal);
    return terminal;
  };

  beforeAll(() => {
    repo = cleanCopy();
  });

  afterAll(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    rmSync(dirname(repo), { recursive: true, force: true });
  });

  it('the steps the README gives, as written, end with the finished set in the terminal', async () => {
    // The README's own words are what this test follows.
    for (const step of [
      'npm run emulator:runcomfy',
      'npm run emulator:discord',
      '`-- --port 0`',
      '`RUNCOMFY_OUTPUT_HOSTS=127.0.0.1`',
      '`npm run deploy-commands` and `npm start`',
      '`/imagine prompt:"a lighthouse at dusk" count:4`',
    ]) {
      expect(README.includes(step), `the README says ${step}`).toBe(true);
    }

    const runcomfy = open('emulator:runcomfy', '--', '--port', '0');
    const discord = open('emulator:discord', '--', '--port', '0');
    await runcomfy.waitFor(/RUNCOMFY_API_TOKEN=\S+\n/, 20_000);
    await discord.waitFor(/DEV_GUILD_ID=\S+\n/, 20_000);
    const printed = [...envLines(runcomfy.output), ...envLines(discord.output)];
    expect(printed.map((l) => l.split('=')[0]).sort()).toEqual([
      'DEV_GUILD_ID',
      'DISCORD_API_URL',
      'DISCORD_APPLICATION_ID',
      'DISCORD_TOKEN',
      'RUNCOMFY_API_TOKEN',
      'RUNCOMFY_BASE_URL',
    ]);
    writeFileSync(join(repo, '.env'), [...printed, 'RUNCOMFY_OUTPUT_HOSTS=127.0.0.1', ''].join('\n'));

    const deploy = open('deploy-commands');
    expect(await deploy.exited, deploy.output).toBe(0);
    expect(deploy.output).toMatch(/Registered \d+ commands in guild \d+/);

    const bot = open('start');
    await bot.waitFor(/"msg":"bot ready"/, 30_000);

    const from = discord.output.length;
    discord.type('/imagine prompt:"a lighthouse at dusk" count:4');
    // The card, edited to its final state: the set is delivered.
    // The card's last edit, the set delivered: a block that starts with the card's header.
    const done = await discord.waitFor(
      /^~ edited in #general · message (\d+) · answers alice's \/imagine · everyone in #general\n {4}┌ Done\n(?: {4}.*\n)*? {4}└\n/m,
      45_000,
      from,
    );
    const card = done[0];
    expect(card).toContain('>>> a lighthouse at dusk');
    expect(card).toContain('Images: 4');
    expect(card).toMatch(/Status: Done in \d+s: 4 image\(s\)\./);

    // The result the card links to, as members see it: 4 numbered images, each a file on the CDN.
    const resultId = /discord\.com\/channels\/\d+\/\d+\/(\d+)/.exec(card)?.[1];
    expect(resultId).toBeDefined();
    const result = new RegExp(
      `^\\+ posted in #general · message ${resultId} · everyone in #general\\n(?: {4}.*\\n)*`,
      'm',
    ).exec(discord.output.slice(from))?.[0];
    expect(result, discord.output.slice(from)).toBeDefined();
    expect(result).toContain('>>> a lighthouse at dusk');
    expect(result).toMatch(/\[Reroll\] \(sd1:reroll:\d+\)/);
    // A Components V2 media gallery: each item numbered, its file, size and CDN URL, then its "n/N" label.
    expect(result).toContain('gallery of 4 images:');
    const images = [
      ...result!.matchAll(
        /^ {4}(?:│ )* {2}(\d+)\. (\S+\.jpg) \([\d.]+ KiB\) → (http:\/\/127\.0\.0\.1:\d+\/cdn\/\S+) "(\d+\/\d+)"$/gm,
      ),
    ];
    expect(images.map(([, n, file, , label]) => [n, file, label])).toEqual(
      [1, 2, 3, 4].map((n) => [String(n), expect.stringMatching(new RegExp(`-${n}\\.jpg$`)), `${n}/4`]),
    );
    for (const [, , , url] of images) {
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('image/jpeg');
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    }

    // The gallery, from the same terminal as the README shows: the owner sets it up, the bot
    // lacks permissions there (only the owner sees that), the terminal grants them, setup succeeds.
    const setupLine =
      /^~ edited in #general · message \d+ · answers owner's \/gallery setup · only owner sees this\n {4}(.*)\n/m;
    let mark = discord.output.length;
    const firstSetup = Date.now();
    discord.type('as owner /gallery setup channel:#gallery');
    expect((await discord.waitFor(setupLine, 10_000, mark))[1]).toContain(
      'missing these permissions there: Manage Threads',
    );
    mark = discord.output.length;
    discord.type('grant #gallery ManageThreads ManageChannels');
    expect((await discord.waitFor(/^The bot in #gallery may: .*\n/m, 5_000, mark))[0]).toContain('ManageThreads');
    // At a person's pace: the same member's next command after COMMAND_COOLDOWN (2 s by default).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstSetup + 2_100 - Date.now())));
    mark = discord.output.length;
    discord.type('as owner /gallery setup channel:#gallery');
    expect((await discord.waitFor(setupLine, 10_000, mark))[1]).toBe(
      'Done: every new set will also be posted to #gallery, one post per set, tagged by aspect ratio.',
    );
  }, 90_000);
});
