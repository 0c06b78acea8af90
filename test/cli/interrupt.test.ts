import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { emulatorEnv, STACK_TRACE, startCli, tempDir } from './cli-harness.js';

let queued: RunComfyEmulator; // jobs wait in the queue for a minute
let running: RunComfyEmulator; // jobs start at once and generate for a minute
beforeAll(async () => {
  [queued, running] = await Promise.all([
    startRunComfyEmulator({ queueMs: 60_000 }),
    startRunComfyEmulator({ queueMs: 0, runMs: 60_000 }),
  ]);
});
afterAll(async () => {
  await Promise.all([queued?.close(), running?.close()]);
});

describe.concurrent('Ctrl-C (a real SIGINT to the process)', () => {
  it('Ctrl-C while queued cancels the request on RunComfy and exits 130', async () => {
    const cli = startCli(['generate', 'a lighthouse at dusk', '-n', '2', '--out', await tempDir()], {
      env: emulatorEnv(queued),
    });
    const stderr = await cli.stderrMatches(/^Queued \(position \d+\)/m);
    const requestId = /Submitted as request (\S+)/.exec(stderr)?.[1];
    expect(requestId).toBeDefined();
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`Cancelled request ${requestId} on RunComfy: it was still queued`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
    expect(queued.job(requestId!)).toMatchObject({ cancelled: true, state: 'cancelled' });
    expect(queued.calls.filter((c) => c.route === 'cancel' && c.requestId === requestId)).toHaveLength(1);
  });

  it('Ctrl-C while generating says it cannot be cancelled, how to fetch it later, and exits 130', async () => {
    const out = await tempDir();
    const cli = startCli(['generate', 'a lighthouse at dusk', '-n', '2', '--out', out], { env: emulatorEnv(running) });
    const stderr = await cli.stderrMatches(/^Generating 2 images/m);
    const requestId = /Submitted as request (\S+)/.exec(stderr)?.[1];
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`Request ${requestId} is already generating and cannot be cancelled on RunComfy`);
    expect(run.stderr).toContain(`seedream result ${requestId} --wait --out ${out}`);
    expect(running.job(requestId!)).toMatchObject({ cancelled: false, state: 'in_progress' });
  });
});
