import { DiscordApiError, Errors } from '../../errors.js';
import type { MessageRequest } from '../../messages.js';
import { isObject } from '../../rules/message-rules.js';
import type { JsonObject } from '../../types.js';
import type { ParsedBody } from '../body.js';

export function jsonObject(body: ParsedBody): JsonObject {
  if (body.json === undefined) return {};
  if (!isObject(body.json)) throw new DiscordApiError(400, 50109, 'The request body contains invalid JSON.');
  return body.json;
}

export function messageRequest(body: ParsedBody): MessageRequest {
  return { body: jsonObject(body), files: body.files };
}

export function parseLimit(raw: string | null, fallback: number, max: number): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw Errors.invalidFormBody('limit', 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`);
  }
  return value;
}

/** A boolean query parameter as Discord reads it: absent, `true` or `false` (anything else is 50035). */
export function queryFlag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (raw === 'true' || raw === 'True' || raw === '1') return true;
  if (raw === 'false' || raw === 'False' || raw === '0') return false;
  throw Errors.invalidFormBody(name, 'BOOLEAN_TYPE_COERCE', `Value "${raw}" is not a boolean.`);
}
