/**
 * The emulator's contract with Discord's published spec, applied in one place (the REST
 * front) for every route: request bodies (JSON, or a multipart request's `payload_json`) are
 * checked against the route's schema and refused with 50035 when they fail; answers are checked
 * too during test runs, so discord.js sees the shapes real Discord sends.
 */
import type { EmulatorState } from '../state.js';
import { contractLogEnabled, reportContractCheck } from './log.js';
import { ROUTE_CONTRACTS } from './routes.js';
import { checkAgainst } from './validate.js';

export { CONTRACT_EXCEPTIONS } from './exceptions.js';
export type { Violation } from './validate.js';

export function hasRequestContract(route: string): boolean {
  return ROUTE_CONTRACTS[route]?.request !== undefined;
}

/** Throws Discord's 50035 when the body breaks the route's schema. */
export function enforceRequestContract(
  route: string,
  json: unknown,
  params: Readonly<Record<string, string>>,
  state: EmulatorState,
): void {
  const select = ROUTE_CONTRACTS[route]?.request;
  if (!select) return;
  // A route without a body (a bare POST) is checked as an empty object, as Discord reads it.
  const body = json === undefined ? {} : json;
  const result = checkAgainst(select({ json: body, params, state }), body);
  reportContractCheck('request', route, result.violations);
  if (result.error) throw result.error;
}

/** Records whether a 2xx answer matches the spec's response schema (test runs only). */
export function checkResponseContract(route: string, status: number, body: unknown): void {
  if (!contractLogEnabled() || status < 200 || status >= 300 || body === undefined) return;
  const schema = ROUTE_CONTRACTS[route]?.response;
  if (!schema) return;
  reportContractCheck('response', route, checkAgainst(schema, body).violations);
}
