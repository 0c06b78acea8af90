/** What the README and .env.example tell a newcomer must match the code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { GALLERY_PERMISSIONS, type PermissionName } from '../../src/discord/gallery/permissions.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** "Send Messages in Threads" → SendMessagesInThreads. */
function flagOf(words: string): PermissionName {
  const name = words
    .trim()
    .split(/\s+/)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('') as PermissionName;
  expect(PermissionFlagsBits, `"${words}" is not a Discord permission`).toHaveProperty(name);
  return name;
}

describe('README: inviting the bot', () => {
  const readme = read('README.md');
  // The table as the formatter lays it out (cells padded to the widest).
  const header = /^ *\| permission +\| why +\|/m.exec(readme);
  const table = header ? readme.slice(header.index, readme.indexOf('permissions integer')) : '';
  const listed = [...table.matchAll(/^ *\| ([A-Z][^|]+?) *\|/gm)]
    .flatMap((row) => row[1]!.split(','))
    .map((name) => flagOf(name.trim()));
  const integer = /permissions integer \*\*(\d+)\*\*/.exec(readme)?.[1];
  const url = /https:\/\/discord\.com\/oauth2\/authorize\?\S+/.exec(readme)?.[0];

  it('lists every permission a gallery of any kind needs, and Manage Channels for forum tags', () => {
    const needed = new Set([...Object.values(GALLERY_PERMISSIONS).flat(), 'ManageChannels']);
    expect(new Set(listed)).toEqual(needed);
  });

  it('states the integer of exactly those permissions and uses it in the invite URL', () => {
    const sum = listed.reduce((bits, name) => bits | PermissionFlagsBits[name], 0n);
    expect(integer).toBe(sum.toString());
    expect(url).toBeDefined();
    const params = new URL(url!).searchParams;
    expect(params.get('permissions')).toBe(integer);
    expect(params.get('scope')?.split(' ')).toEqual(['bot', 'applications.commands']);
  });

  it('sends nobody to a file outside the repository', () => {
    expect(readme).not.toMatch(/\.\.\/shared|design\.md/);
  });
});

describe('.env.example', () => {
  it('names the port the Discord emulator listens on', () => {
    const port = /port: \{ type: 'string', default: '(\d+)' \}/.exec(read('src/emulators/discord/main.ts'))?.[1];
    expect(port).toBeDefined();
    const urls = [...read('.env.example').matchAll(/http:\/\/127\.0\.0\.1:(\d+)\/api/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const used of urls) expect(used).toBe(port);
  });
});
