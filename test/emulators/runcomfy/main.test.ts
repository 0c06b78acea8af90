import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm run emulator:runcomfy', () => {
  it('prints paste-ready settings, serves the API, and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/emulators/runcomfy/main.ts', '--port', '0', '--queue-ms', '0', '--per-image-ms', '5'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => {
          if (/RUNCOMFY_API_TOKEN=.+\n/.test(output)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited early (${code}): ${output}`)));
      });
      const baseUrl = /^RUNCOMFY_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1];
      expect(baseUrl).toBeDefined();
      expect(output).toMatch(/^RUNCOMFY_API_TOKEN=emulator-token$/m);
      const res = await fetch(`${baseUrl}/v1/models/bytedance/seedream-4-0/sequential`, {
        headers: { authorization: 'Bearer emulator-token' },
      });
      expect(res.status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
