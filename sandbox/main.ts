/**
 * `npm run sandbox`: the bot in a browser. Starts both emulators, the bot and the page at
 * http://127.0.0.1:8800 (`-- --port <n>` for another), all on loopback.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './server/start-sandbox.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8800' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

const sandbox = await startSandbox({ port });
console.log(`Seedream sandbox: open ${sandbox.url}
  Discord emulator ${sandbox.discord.apiUrl}, RunComfy emulator ${sandbox.runcomfy.url}
  bot log: ${sandbox.logFile} (removed on exit)
Ctrl+C stops everything.`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the sandbox`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
