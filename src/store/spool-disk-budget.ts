/**
 * Whether the spool may put a set on disk. The spool shares its disk with the store, and a
 * store that cannot write cannot record what was posted: a set is written only while the
 * spool's files stay within `maxTotalBytes` and the disk keeps `minFreeBytes` free.
 */
import { statfs } from 'node:fs/promises';

export interface SpoolDiskLimits {
  directory: string;
  /** Most bytes the spool's files may take (SPOOL_MAX_BYTES; default 2 GiB). */
  maxTotalBytes?: number;
  /** Free space the disk must keep after a set is written (SPOOL_MIN_FREE_BYTES; default 256 MiB). */
  minFreeBytes?: number;
  /** Free bytes of the disk holding the spool (tests stand in for a full disk). */
  freeBytes?: (directory: string) => Promise<number>;
  /** Told when a set is kept in memory only, and why. */
  onSkip?: (jobId: string, reason: 'budget' | 'disk', bytes: number) => void;
}

const DEFAULT_MAX_TOTAL_BYTES = 2 * 1024 ** 3;
const DEFAULT_MIN_FREE_BYTES = 256 * 1024 ** 2;

async function freeBytesOf(directory: string): Promise<number> {
  const stats = await statfs(directory);
  return stats.bavail * stats.bsize;
}

/** The bytes this process has put on disk, by job, against the limits (read when asked). */
export class SpoolDiskBudget {
  readonly #diskBytes = new Map<string, number>();
  readonly #limits: SpoolDiskLimits;

  constructor(limits: SpoolDiskLimits) {
    this.#limits = limits;
  }

  /** Counts `bytes` of the job as on disk if they fit; otherwise says why to `onSkip` and refuses. */
  async reserve(jobId: string, bytes: number): Promise<boolean> {
    if (!(await this.#roomFor(jobId, bytes))) return false;
    this.#diskBytes.set(jobId, (this.#diskBytes.get(jobId) ?? 0) + bytes);
    return true;
  }

  /** The job's files are gone. */
  release(jobId: string): void {
    this.#diskBytes.delete(jobId);
  }

  /** Whether `bytes` more may go to disk: within the budget, with the disk's reserve kept free. */
  async #roomFor(jobId: string, bytes: number): Promise<boolean> {
    const used = [...this.#diskBytes.values()].reduce((sum, n) => sum + n, 0);
    let reason: 'budget' | 'disk' | undefined;
    if (used + bytes > (this.#limits.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES)) reason = 'budget';
    else {
      const free = await (this.#limits.freeBytes ?? freeBytesOf)(this.#limits.directory).catch(() => 0);
      if (free - bytes < (this.#limits.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES)) reason = 'disk';
    }
    if (reason) this.#limits.onSkip?.(jobId, reason, bytes);
    return reason === undefined;
  }
}
