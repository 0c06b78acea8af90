import type { IncomingHttpHeaders } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { MessageFactory } from '../messages.js';
import type { EmulatorState } from '../state.js';
import type { Snowflake } from '../types.js';
import type { ParsedBody } from './body.js';

/** What every route handler can reach. */
export interface RestEnvironment {
  state: EmulatorState;
  messages: MessageFactory;
  gateway: Gateway;
  applicationId: Snowflake;
  botToken: string;
  gatewayUrl: () => string;
  recommendedShards: number;
  maxConcurrency: number;
}

export interface RouteContext {
  readonly method: string;
  /** Decoded path after `/api/v10`. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Reads and parses the body once (JSON or multipart), enforcing the 25 MiB request cap. */
  body(): Promise<ParsedBody>;
  readonly env: RestEnvironment;
}

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => Promise<RouteReply> | RouteReply;

export interface RouteDefinition {
  method: string;
  /** e.g. `/channels/:channel/messages/:message` */
  pattern: string;
  /** Bot routes need `Authorization: Bot <token>`; interaction and webhook routes use the token in the path. */
  auth: 'bot' | 'none';
  handler: RouteHandler;
}

export const noContent = (): RouteReply => ({ status: 204 });
export const ok = (body: unknown, status = 200): RouteReply => ({ status, body });
