/** A binary min-heap keyed by a number; ties keep insertion order (stable). */
export class MinHeap<T> {
  readonly #items: Array<{ key: number; seq: number; value: T }> = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(key: number, value: T): void {
    this.#items.push({ key, seq: this.#seq++, value });
    this.#up(this.#items.length - 1);
  }

  peekKey(): number | undefined {
    return this.#items[0]?.key;
  }

  pop(): { key: number; value: T } | undefined {
    const items = this.#items;
    const top = items[0];
    if (!top) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.#down(0);
    }
    return { key: top.key, value: top.value };
  }

  #less(a: number, b: number): boolean {
    const x = this.#items[a]!;
    const y = this.#items[b]!;
    return x.key < y.key || (x.key === y.key && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    [items[a], items[b]] = [items[b]!, items[a]!];
  }

  #up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    const n = this.#items.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.#less(left, smallest)) smallest = left;
      if (right < n && this.#less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}
