import { describe, expect, it } from 'vitest';
import { byteLength, headOf, joinBytes } from '../../src/util/bytes.js';

describe('bytes held as pieces', () => {
  const pieces = [Buffer.from([1, 2]), Buffer.from([3]), Buffer.from([4, 5, 6, 7])];

  it('counts and joins every piece in order; one buffer is itself', () => {
    expect(byteLength(pieces)).toBe(7);
    expect([...joinBytes(pieces)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const one = Buffer.from([9]);
    expect(joinBytes(one)).toBe(one);
    expect(joinBytes([one])).toBe(one);
    expect(byteLength([])).toBe(0);
  });

  it('reads the head across pieces when the first is short (format sniffing)', () => {
    expect([...headOf(pieces, 4)]).toEqual([1, 2, 3, 4]);
    expect([...headOf(pieces, 2)]).toEqual([1, 2]);
    expect([...headOf(pieces, 16)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...headOf(Buffer.from([8, 9, 10]), 2)]).toEqual([8, 9]);
  });
});
