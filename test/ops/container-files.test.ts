/**
 * The container files, checked without a container engine: the Dockerfile passes a Dockerfile
 * linter (dockerfile-utils, as `npm run lint` runs it) and has the shape the README promises;
 * compose.yaml runs the bot with Redis, health checks, a restart policy, a data volume and an
 * env file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The Dockerfile's instructions (continuation lines joined), by stage. */
function stages(text: string) {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: Array<{ from: string; name: string | undefined; lines: string[] }> = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1]!, name: from[2], lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');

  it('passes the linter with no problem at all', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage: the runtime stage has compiled JS, production dependencies, a non-root user and a HEALTHCHECK', () => {
    const all = stages(text);
    expect(all.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    const [build, deps, runtime] = all;
    expect(build!.lines).toContain('RUN npm run build');
    expect(deps!.lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    const copies = runtime!.lines.filter((l) => l.startsWith('COPY'));
    expect(copies).toEqual([
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /app/dist ./dist',
      'COPY package.json ./',
    ]);
    expect(runtime!.lines).toContain('USER node');
    expect(runtime!.lines.some((l) => l.startsWith('HEALTHCHECK ') && l.includes('/healthz'))).toBe(true);
    expect(runtime!.lines.at(-1)).toBe('CMD ["node", "dist/src/main.js"]');
    expect(runtime!.lines.join('\n')).not.toMatch(/tsx|emulator/);
  });

  it('.dockerignore keeps secrets, local state and the emulators out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', 'data', 'dist', 'src/emulators', 'test', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('compose.yaml', () => {
  const text = read('compose.yaml');

  it('runs the bot and Redis with health checks, restart policies, a data volume and an env file', () => {
    expect(text).toMatch(/^ {2}bot:\n {4}build: \.\n/m);
    expect(text).toMatch(/^ {2}redis:\n {4}image: redis:/m);
    expect(text).toContain('env_file: .env');
    expect(text).toContain('STORE_URL: redis://redis:6379');
    expect(text).toContain('- bot-data:/data');
    expect(text.match(/restart: unless-stopped/g)).toHaveLength(2);
    expect(text.match(/healthcheck:/g)).toHaveLength(2);
    expect(text).toMatch(/condition: service_healthy/);
    // docker stop's grace period must outlast SHUTDOWN_TIMEOUT.
    const grace = Number(/stop_grace_period: (\d+)s/.exec(text)?.[1]);
    const timeout = Number(/SHUTDOWN_TIMEOUT: (\d+)s/.exec(text)?.[1]);
    expect(grace).toBeGreaterThan(timeout);
    expect(text).not.toContain('\t');
  });
});
