/**
 * SQLite serves one bot process: an exclusive store takes `<file>.lock` for its process, and a
 * second process started on the same file refuses to start.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppError } from '../errors.js';

/** Another bot process already runs on this SQLite store. */
export class StoreInUseError extends AppError {
  constructor(file: string, holder: string) {
    super(
      'store_in_use',
      `The SQLite store ${file} is in use by another bot process (${holder}). SQLite serves one process only: ` +
        'stop the other one, or set STORE_URL=redis://… for several processes.',
      { params: { file, holder } },
    );
  }
}

/**
 * Takes `<file>.lock` for this process (pid and host inside). A lock whose process is gone
 * (kill -9, a crash) is taken over; one whose process lives refuses. Returns its release.
 */
export function claimSqlite(file: string): () => void {
  const lockFile = `${file}.lock`;
  const mine = `${hostname()} ${process.pid}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockFile, 'utf8') === mine) unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = '';
    try {
      holder = readFileSync(lockFile, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [host, pidText] = holder.split(' ');
    const pid = Number(pidText);
    if (host === hostname() && Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new StoreInUseError(file, `pid ${pid}`);
    }
    if (host !== hostname() && host) throw new StoreInUseError(file, holder);
    // Its process is gone: the lock is stale.
    try {
      unlinkSync(lockFile);
    } catch {
      // another starter removed it first
    }
  }
  throw new StoreInUseError(file, 'another process starting at the same moment');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
