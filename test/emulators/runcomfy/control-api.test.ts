/** The RunComfy emulator's own control API (`controlApi: true`): timing, faults and jobs for a sandbox panel. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, type Json, readJson, startHarness } from './emulator-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.emulator.close();
  harness = undefined;
});

async function control(method: string, route: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${harness!.emulator.url}/_emulator/${route}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await readJson(response) };
}

describe('the RunComfy control API', () => {
  it('changes the timing of jobs submitted afterwards, not of those already submitted', async () => {
    harness = await startHarness({ controlApi: true, queueMs: 1_000, baseRunMs: 1_000, perImageMs: 500 });
    const before = await harness.submit();
    const changed = await control('POST', 'timing', { queueMs: 9_000, perImageMs: 100 });
    expect(changed.status).toBe(200);
    expect(changed.json.timing).toEqual({ queueMs: 9_000, baseRunMs: 1_000, perImageMs: 100 });
    const after = await harness.submit();

    const state = await control('GET', 'state');
    const job = (id: string) => state.json.jobs.find((j: Json) => j.requestId === id);
    expect(job(before.request_id).startedAt - job(before.request_id).submittedAt).toBe(1_000);
    expect(job(after.request_id).startedAt - job(after.request_id).submittedAt).toBe(9_000);
    expect(job(after.request_id).completedAt - job(after.request_id).startedAt).toBe(1_000 + 3 * 100);
    // Newest first, and the control calls are not RunComfy calls.
    expect(state.json.jobs[0].requestId).toBe(after.request_id);
    expect(state.json.calls.every((c: Json) => !String(c.path).startsWith('/_emulator'))).toBe(true);

    expect((await control('POST', 'timing', { queueMs: -1 })).status).toBe(400);
  });

  it('arms faults it validates, lists them until they are used, and disarms them all', async () => {
    harness = await startHarness({ controlApi: true });
    const armed = await control('POST', 'faults', {
      kind: 'rate-limit',
      route: 'submit',
      times: 2,
      retryAfterSeconds: 3,
    });
    expect(armed.status).toBe(200);
    expect(armed.json.faults).toEqual([expect.objectContaining({ kind: 'rate-limit', route: 'submit', remaining: 2 })]);
    const limited = await harness.api('POST', '/v1/models/bytedance/seedream-4-0/sequential', { text: 'a fox' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await control('GET', 'state')).json.faults[0].remaining).toBe(1);

    await control('POST', 'faults', { kind: 'fewer-images', count: 1 });
    expect((await control('DELETE', 'faults')).json.faults).toEqual([]);
    expect((await control('GET', 'state')).json.faults).toEqual([]);
    await harness.submit();

    const bad = await control('POST', 'faults', { kind: 'set-on-fire' });
    expect(bad.status).toBe(400);
    expect((await control('POST', 'faults', { kind: 'fewer-images', count: 99 })).status).toBe(400);
  });

  it('is not served unless asked for', async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.emulator.url}/_emulator/state`);
    expect(response.status).toBe(404);
  });
});
