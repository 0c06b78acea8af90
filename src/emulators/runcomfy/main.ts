/**
 * `npm run emulator:runcomfy [-- --port 8787 --queue-ms 1000 --per-image-ms 500]`:
 * a RunComfy Model API on loopback for the offline sandbox.
 */
import { parseArgs } from 'node:util';
import { nonNegativeFlag } from '../cli-flags.js';
import { startRunComfyEmulator } from './server.js';
import type { RunComfyEmulatorOptions } from './types.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    'queue-ms': { type: 'string' },
    'base-run-ms': { type: 'string' },
    'per-image-ms': { type: 'string' },
    'rate-limit': { type: 'string' },
    format: { type: 'string' },
    'allow-loopback-references': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run emulator:runcomfy -- [options]
  --port <n>            port (default 8787; 0 picks a free one)
  --host <addr>         address (default 127.0.0.1)
  --token <t>           bearer token accepted (default emulator-token)
  --queue-ms <ms>       time each job waits in queue (default 1000)
  --base-run-ms <ms>    fixed generation time (default 1000)
  --per-image-ms <ms>   extra generation time per image (default 500)
  --rate-limit <n>      API requests per second before 429 (default: none)
  --format jpeg|png     image file format (default jpeg)
  --allow-loopback-references
                        edit-sequential takes http:// reference URLs on 127.0.0.1/localhost
                        (the Discord emulator's CDN); without it only HTTPS, as RunComfy`);
  process.exit(0);
}

const format = values.format;
if (format !== undefined && format !== 'jpeg' && format !== 'png') {
  console.error(`--format must be jpeg or png, got ${format}`);
  process.exit(2);
}
const requestsPerSecond = nonNegativeFlag('rate-limit', values['rate-limit']);
const options: RunComfyEmulatorOptions = {
  host: values.host,
  port: nonNegativeFlag('port', values.port),
  queueMs: nonNegativeFlag('queue-ms', values['queue-ms']),
  baseRunMs: nonNegativeFlag('base-run-ms', values['base-run-ms']),
  perImageMs: nonNegativeFlag('per-image-ms', values['per-image-ms']),
  ...(values.token !== undefined && { token: values.token }),
  ...(format !== undefined && { imageFormat: format }),
  ...(values['allow-loopback-references'] && { allowLoopbackReferences: true }),
  ...(requestsPerSecond !== undefined && requestsPerSecond > 0 && { rateLimit: { requestsPerSecond } }),
};

const emulator = await startRunComfyEmulator(options);
console.log(`RunComfy emulator listening. Paste into .env:
RUNCOMFY_BASE_URL=${emulator.url}
RUNCOMFY_API_TOKEN=${emulator.token}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing the RunComfy emulator`);
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
