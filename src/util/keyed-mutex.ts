/**
 * Serialises async critical sections per key inside one process, so a read-modify-write
 * of one store key never loses an update. Keys with no waiter hold no memory.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Runs `section` holding every key in `keys` (taken in sorted order: no deadlock). */
  async runAll<T>(keys: string[], section: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const take = (index: number): Promise<T> =>
      index === sorted.length ? section() : this.run(sorted[index]!, () => take(index + 1));
    return take(0);
  }
}
