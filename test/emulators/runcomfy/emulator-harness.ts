import {
  type RunComfyEmulator,
  type RunComfyEmulatorOptions,
  startRunComfyEmulator,
} from '../../../src/emulators/runcomfy/index.js';

export const MODEL_PATH = '/v1/models/bytedance/seedream-4-0/sequential';

/** An emulator on port 0 driven by a clock the test moves by hand. */
export interface Harness {
  emulator: RunComfyEmulator;
  advance(ms: number): void;
  now(): number;
  /** Authorised API call; `body` is sent as JSON. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Submits a valid job and returns the submit answer. */
  submit(input?: Record<string, unknown>): Promise<SubmitAnswer>;
}

export interface SubmitAnswer {
  request_id: string;
  status_url: string;
  result_url: string;
  cancel_url: string;
}

export const START = Date.UTC(2025, 0, 1);

export async function startHarness(options: RunComfyEmulatorOptions = {}): Promise<Harness> {
  let now = START;
  const emulator = await startRunComfyEmulator({ clock: () => now, ...options });
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(path.startsWith('http') ? path : `${emulator.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${emulator.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return {
    emulator,
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
    api,
    async submit(input = {}) {
      const res = await api('POST', MODEL_PATH, { text: 'Generate 3 images of a lighthouse at dusk', ...input });
      if (res.status !== 200) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as SubmitAnswer;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
export type Json = any;

export async function readJson(res: Response): Promise<Json> {
  return res.json();
}
