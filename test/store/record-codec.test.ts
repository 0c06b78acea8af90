import { Buffer } from 'node:buffer';
import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import { describe, expect, it } from 'vitest';
import { deserializeRecord, serializeRecord } from '../../src/store/record-codec.js';
import { jobFixture } from '../helpers/job-fixture.js';

/** A small seeded generator (mulberry32): the same values on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STRINGS = ['', ':', '::', ':x', 'a:b', ':base64:aGk=', 'plain', '"quoted"', '\\', 'ünï', '🙂', 'line\nbreak'];

function value(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 5 : 8));
  switch (kind) {
    case 0:
      return STRINGS[Math.floor(next() * STRINGS.length)];
    case 1:
      return Math.round(next() * 1e6) / 100 - 5_000;
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return `${next() < 0.5 ? ':' : ''}${Math.floor(next() * 1e9).toString(36)}`;
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    case 6:
      return Buffer.from(Math.floor(next() * 1e9).toString(36));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(next() * 5); i++) {
        object[STRINGS[Math.floor(next() * STRINGS.length)]! + i] = value(next, depth + 1);
      }
      if (next() < 0.2) object.missing = undefined;
      return object;
    }
  }
}

describe('record codec', () => {
  it("writes exactly what keyv's default serializer writes, and reads it back the same", () => {
    const next = random(7);
    const corpus: unknown[] = [
      jobFixture(),
      { ...jobFixture(), prompt: ':smile: a cat', surface: { note: '::two' } },
      { value: { list: [':a', 'b', [':c']], buffer: Buffer.from('hi') }, expires: 1_700_000_000_000 },
      { value: ':top' },
      ':top-level',
      'plain',
      42,
      null,
      undefined,
      { when: new Date(0), nested: { toJSON: () => ({ inner: ':x' }) } },
      [1, () => 2, 3],
    ];
    for (let i = 0; i < 2_000; i++) corpus.push({ value: value(next, 0), expires: i });
    for (const data of corpus) {
      const text = serializeRecord(data);
      expect(text).toBe(defaultSerialize(data as never));
      expect(deserializeRecord(text)).toEqual(defaultDeserialize(text));
    }
  });

  it('reads what keyv wrote before, with its escapes undone', () => {
    const written = defaultSerialize({ value: { prompt: ':wave: hi', tags: [':a', 'b'], raw: Buffer.from('xy') } });
    expect(deserializeRecord(written)).toEqual({
      value: { prompt: ':wave: hi', tags: [':a', 'b'], raw: Buffer.from('xy') },
    });
  });

  it('keeps a "__proto__" key an own property, as JSON.parse makes it', () => {
    const read = deserializeRecord<Record<string, unknown>>('{"__proto__":"::x","a":1}');
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toBe(':x');
  });
});
