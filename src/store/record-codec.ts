/**
 * The text form of every stored record: exactly what keyv's default serializer writes (a string
 * value that starts with ':' gets another ':' in front, a Buffer becomes ':base64:…'), so every
 * record written before still reads, and the Lua scripts that read and write records in place
 * (lua-records.ts) keep working. Made with the engine's own JSON.stringify and JSON.parse plus
 * a walk for those two cases: keyv's default builds the text by string concatenation and parses
 * with a reviver, and that was about a sixth of a bot's CPU per job.
 */
import { Buffer } from 'node:buffer';
import type { DeserializedData } from 'keyv';

const COLON = 58; // ':'
const BASE64_MARK = ':base64:';

/** keyv writes an object with a toJSON() as its result: a string as it is, an object walked. */
const hasToJson = (value: object): value is { toJSON: () => unknown } =>
  typeof (value as { toJSON?: unknown }).toJSON === 'function';

/** A string as keyv's serializer writes it inside a record (a leading ':' is doubled). */
export function keyvString(value: string): string {
  return value.charCodeAt(0) === COLON ? `:${value}` : value;
}

/** Whether `value` holds anything JSON.stringify alone would write differently from keyv. */
function needsEscaping(value: unknown): boolean {
  if (typeof value === 'string') return value.charCodeAt(0) === COLON;
  if (typeof value !== 'object' || value === null) return false;
  if (Buffer.isBuffer(value)) return true;
  if (hasToJson(value)) {
    const json = value.toJSON();
    return typeof json === 'object' && json !== null && needsEscaping(json);
  }
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'function' || needsEscaping(item)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && needsEscaping((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** A copy of `value` that JSON.stringify writes as keyv would (only made when needed). */
function escaped(value: unknown): unknown {
  if (typeof value === 'string') return keyvString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value)) return `${BASE64_MARK}${value.toString('base64')}`;
  if (hasToJson(value)) {
    const json = value.toJSON();
    return typeof json === 'object' && json !== null ? escaped(json) : json;
  }
  // keyv leaves functions out of arrays (JSON.stringify would write null).
  if (Array.isArray(value)) return value.filter((item) => typeof item !== 'function').map(escaped);
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) {
      Object.defineProperty(copy, key, {
        value: escaped((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return copy;
}

export function serializeRecord(data: unknown): string {
  if (data === undefined || data === null) return 'null';
  return JSON.stringify(needsEscaping(data) ? escaped(data) : data);
}

/** Undoes the escaping of one string value. */
function unescaped(value: string): string | Buffer {
  if (value.charCodeAt(0) !== COLON) return value;
  if (value.startsWith(BASE64_MARK)) return Buffer.from(value.slice(BASE64_MARK.length), 'base64');
  return value.slice(1);
}

/** Undoes the escaping in place, in what JSON.parse has just made (nobody else holds it). */
function unescapeInPlace(value: unknown): unknown {
  if (typeof value === 'string') return unescaped(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === 'object') unescapeInPlace(item);
      else if (typeof item === 'string' && item.charCodeAt(0) === COLON) value[i] = unescaped(item);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object') unescapeInPlace(item);
    else if (typeof item === 'string' && item.charCodeAt(0) === COLON) {
      // defineProperty: a key "__proto__" (JSON.parse makes it an own property) is set as one.
      Object.defineProperty(record, key, {
        value: unescaped(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return record;
}

export function deserializeRecord<T = unknown>(text: string): T {
  return unescapeInPlace(JSON.parse(text)) as T;
}

/** The codec every Keyv of the store is made with. */
export const RECORD_CODEC = {
  serialize: serializeRecord as <Value>(data: DeserializedData<Value>) => string,
  deserialize: deserializeRecord as <Value>(text: string) => DeserializedData<Value> | undefined,
};
