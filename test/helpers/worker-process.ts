/** A fixture in its own Node process (tsx), for tests that kill -9 it and start it again. */
import { type ChildProcess, fork } from 'node:child_process';

/** Starts `script` with one JSON argument; resolves once it sends `{ type: 'ready' }`. */
export function spawnWorker(script: string, config: object): Promise<ChildProcess> {
  const child = fork(script, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') {
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

/** SIGKILL: no handler runs, nothing is flushed — the crash being tested. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
