/**
 * Which schema of Discord's OpenAPI spec (`discord-api-spec/zod`) each emulated route's request
 * body and 2xx answer must match. Where the spec lists a union, the branch is picked the way
 * Discord picks it (callback `type`, the channel's type), so errors name that branch's fields.
 */
import * as spec from 'discord-api-spec/zod';
import * as z from 'zod/mini';
import { FORUM_LIKE_TYPES, THREAD_TYPES } from '../rules/limits.js';
import type { EmulatorState } from '../state.js';

type Schema = z.ZodMiniType<unknown, unknown>;

export interface ContractInput {
  json: unknown;
  params: Readonly<Record<string, string>>;
  state: EmulatorState;
}

export interface RouteContract {
  /** The request body's schema; undefined when the route takes no body. */
  request?: (input: ContractInput) => Schema;
  /** The schema of a 2xx answer with a body. */
  response?: Schema;
}

const channelType = ({ params, state }: ContractInput) => state.channels.get(params['channel'] ?? '')?.data.type;

/** Callback bodies by `type`; an unknown type falls to the union (its error names `type`). */
const CALLBACKS: Record<number, Schema> = {
  1: spec.PongInteractionCallbackRequestSchema,
  4: spec.CreateMessageInteractionCallbackRequestSchema,
  5: spec.CreateMessageInteractionCallbackRequestSchema,
  6: spec.UpdateMessageInteractionCallbackRequestSchema,
  7: spec.UpdateMessageInteractionCallbackRequestSchema,
  8: spec.ApplicationCommandAutocompleteCallbackRequestSchema,
  9: spec.ModalInteractionCallbackRequestSchema,
  12: spec.LaunchActivityInteractionCallbackRequestSchema,
};
const anyCallback = z.union(Object.values(CALLBACKS) as [Schema, ...Schema[]]);

const callbackSchema = ({ json }: ContractInput): Schema => {
  const type = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['type'] : undefined;
  return (typeof type === 'number' ? CALLBACKS[type] : undefined) ?? anyCallback;
};

const threadSchema = (input: ContractInput): Schema => {
  const type = channelType(input);
  if (type === undefined)
    return z.union([spec.CreateForumThreadRequestSchema, spec.CreateTextThreadWithoutMessageRequestSchema]);
  return FORUM_LIKE_TYPES.has(type)
    ? spec.CreateForumThreadRequestSchema
    : spec.CreateTextThreadWithoutMessageRequestSchema;
};

const channelPatchSchema = (input: ContractInput): Schema => {
  const type = channelType(input);
  if (type === undefined) return spec.UpdateGuildChannelRequestPartialSchema;
  if (THREAD_TYPES.has(type)) return spec.UpdateThreadRequestPartialSchema;
  return type === 1 ? spec.UpdateDMRequestPartialSchema : spec.UpdateGuildChannelRequestPartialSchema;
};

const fixed = (schema: Schema) => () => schema;
const list = (schema: Schema) => z.nullable(z.array(schema));
const anyChannel = z.union([
  spec.GuildChannelResponseSchema,
  spec.ThreadResponseSchema,
  spec.PrivateChannelResponseSchema,
]);

/** Keyed by the router's label, `METHOD /pattern`. */
export const ROUTE_CONTRACTS: Readonly<Record<string, RouteContract>> = {
  'GET /gateway': { response: spec.GatewayResponseSchema },
  'GET /gateway/bot': { response: spec.GatewayBotResponseSchema },
  'GET /users/@me': { response: spec.UserPIIResponseSchema },
  'POST /users/@me/channels': {
    request: fixed(spec.CreatePrivateChannelRequestSchema),
    response: spec.PrivateChannelResponseSchema,
  },
  'GET /users/@me/guilds': { response: list(spec.MyGuildResponseSchema) },
  'GET /users/:user': { response: spec.UserResponseSchema },
  'GET /applications/@me': { response: spec.PrivateApplicationResponseSchema },
  'GET /oauth2/applications/@me': { response: spec.PrivateApplicationResponseSchema },
  'GET /guilds/:guild': { response: spec.GuildWithCountsResponseSchema },
  'GET /guilds/:guild/channels': { response: list(anyChannel) },
  'GET /guilds/:guild/threads/active': { response: spec.ThreadsResponseSchema },
  'GET /guilds/:guild/roles': { response: z.array(spec.GuildRoleResponseSchema) },
  'GET /guilds/:guild/members/:user': { response: spec.GuildMemberResponseSchema },

  'GET /channels/:channel': { response: anyChannel },
  'PATCH /channels/:channel': { request: channelPatchSchema, response: anyChannel },
  'DELETE /channels/:channel': { response: anyChannel },
  'GET /channels/:channel/messages': { response: list(spec.MessageResponseSchema) },
  'POST /channels/:channel/messages': {
    request: fixed(spec.MessageCreateRequestSchema),
    response: spec.MessageResponseSchema,
  },
  'GET /channels/:channel/messages/:message': { response: spec.MessageResponseSchema },
  'PATCH /channels/:channel/messages/:message': {
    request: fixed(spec.MessageEditRequestPartialSchema),
    response: spec.MessageResponseSchema,
  },
  'POST /channels/:channel/threads': { request: threadSchema, response: spec.CreatedThreadResponseSchema },
  'POST /channels/:channel/messages/:message/threads': {
    request: fixed(spec.CreateTextThreadWithMessageRequestSchema),
    response: spec.ThreadResponseSchema,
  },

  'POST /interactions/:interaction/:token/callback': {
    request: callbackSchema,
    response: spec.InteractionCallbackResponseSchema,
  },
  // The spec allows the create or the update shape for a follow-up; the create shape is the stricter.
  'POST /webhooks/:app/:token': {
    request: fixed(spec.IncomingWebhookRequestPartialSchema),
    response: spec.MessageResponseSchema,
  },
  'GET /webhooks/:app/:token/messages/:message': { response: spec.MessageResponseSchema },
  'PATCH /webhooks/:app/:token/messages/:message': {
    request: fixed(spec.IncomingWebhookUpdateRequestPartialSchema),
    response: spec.MessageResponseSchema,
  },
};

for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
  Object.assign(ROUTE_CONTRACTS, {
    [`GET ${base}`]: { response: list(spec.ApplicationCommandResponseSchema) },
    [`PUT ${base}`]: {
      request: fixed(list(spec.ApplicationCommandUpdateRequestSchema)),
      response: list(spec.ApplicationCommandResponseSchema),
    },
    [`POST ${base}`]: {
      request: fixed(spec.ApplicationCommandCreateRequestSchema),
      response: spec.ApplicationCommandResponseSchema,
    },
    [`GET ${base}/:command`]: { response: spec.ApplicationCommandResponseSchema },
    [`PATCH ${base}/:command`]: {
      request: fixed(spec.ApplicationCommandPatchRequestPartialSchema),
      response: spec.ApplicationCommandResponseSchema,
    },
  } satisfies Record<string, RouteContract>);
}
