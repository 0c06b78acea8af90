/**
 * Interaction callbacks and the interaction webhook (original response and follow-ups), with
 * Discord's rules: one callback within 3 s (10062 after), never two (40060), the token valid
 * for 15 minutes (50027 after), and the first follow-up after a defer filling the placeholder.
 */
import { Errors, FormErrors } from '../../errors.js';
import type { InteractionRecord } from '../../interactions.js';
import { CallbackTypes, MessageFlags } from '../../rules/limits.js';
import { isObject, validateAutocompleteChoices, validateModal } from '../../rules/message-rules.js';
import type { StoredMessage } from '../../state.js';
import type { JsonObject } from '../../types.js';
import { noContent, ok, type RouteContext, type RouteDefinition } from '../context.js';
import { jsonObject, messageRequest, queryFlag } from './shared.js';

const ALLOWED_CALLBACKS: Record<InteractionRecord['kind'], ReadonlySet<number>> = {
  command: new Set([4, 5, 9]),
  component: new Set([4, 5, 6, 7, 9]),
  autocomplete: new Set([8]),
  'modal-submit': new Set([4, 5, 6, 7]),
};

/** Message type of interaction responses: 20 for slash commands, 0 for component and modal flows. */
function responseMessageType(interaction: InteractionRecord): number {
  return interaction.kind === 'command' ? 20 : 0;
}

function liveMessage(ctx: RouteContext, id: string | null): StoredMessage {
  const message = id ? ctx.env.state.messages.get(id) : undefined;
  if (!message || message.deleted) throw Errors.unknownMessage();
  return message;
}

const callback = async (ctx: RouteContext) => {
  const { state, messages } = ctx.env;
  const interaction = state.interactions.get(ctx.params['interaction']!);
  if (!interaction || interaction.token !== ctx.params['token']) throw Errors.unknownInteraction();
  const now = state.now();
  const withResponse = queryFlag(ctx.query, 'with_response', false);
  if (interaction.acknowledged) {
    interaction.rejectedCallbacks.push({ code: 40060, at: now });
    throw Errors.alreadyAcknowledged();
  }
  if (interaction.missedDeadline(now)) {
    interaction.rejectedCallbacks.push({ code: 10062, at: now });
    throw Errors.unknownInteraction();
  }
  const body = await ctx.body();
  const json = jsonObject(body);
  const type = json['type'];
  if (typeof type !== 'number' || !ALLOWED_CALLBACKS[interaction.kind].has(type)) {
    const errors = new FormErrors();
    errors.add(
      ['type'],
      'INTERACTION_RESPONSE_TYPE_INVALID',
      `Interaction response type ${String(type)} is not valid for this interaction`,
    );
    throw errors.toError();
  }
  if (
    (type === CallbackTypes.DeferredUpdateMessage || type === CallbackTypes.UpdateMessage) &&
    !interaction.sourceMessageId
  ) {
    throw Errors.invalidFormBody(
      'type',
      'INTERACTION_RESPONSE_TYPE_INVALID',
      'This interaction has no message to update',
    );
  }
  const data = isObject(json['data']) ? json['data'] : undefined;
  const channel = state.channels.get(interaction.channelId);
  if (!channel) throw Errors.unknownChannel();
  const uploadLimit = state.uploadLimitFor(channel.data.id);
  const author = state.botUser;
  let message: StoredMessage | undefined;

  switch (type) {
    case CallbackTypes.ChannelMessageWithSource: {
      message = messages.create({
        channel,
        author,
        request: { body: data ?? {}, files: body.files },
        source: 'interaction-response',
        type: responseMessageType(interaction),
        uploadLimitBytes: uploadLimit,
        ephemeral: !!(((data?.['flags'] as number | undefined) ?? 0) & MessageFlags.Ephemeral),
        interactionId: interaction.id,
        extra: interaction.messageLinkage(state.userObject(interaction.userId)),
        beforeInsert: (id) => {
          interaction.originalMessageId = id;
        },
      });
      break;
    }
    case CallbackTypes.DeferredChannelMessageWithSource: {
      message = messages.create({
        channel,
        author,
        request: { body: {}, files: [] },
        source: 'interaction-response',
        type: responseMessageType(interaction),
        uploadLimitBytes: uploadLimit,
        ephemeral: !!(((data?.['flags'] as number | undefined) ?? 0) & MessageFlags.Ephemeral),
        loading: true,
        interactionId: interaction.id,
        extra: interaction.messageLinkage(state.userObject(interaction.userId)),
        beforeInsert: (id) => {
          interaction.originalMessageId = id;
        },
      });
      break;
    }
    case CallbackTypes.DeferredUpdateMessage:
      interaction.originalMessageId = interaction.sourceMessageId;
      break;
    case CallbackTypes.UpdateMessage: {
      const source = liveMessage(ctx, interaction.sourceMessageId);
      message = messages.edit(source, { body: data ?? {}, files: body.files }, uploadLimit);
      interaction.originalMessageId = source.id;
      break;
    }
    case CallbackTypes.ApplicationCommandAutocompleteResult:
      validateAutocompleteChoices(data);
      break;
    case CallbackTypes.Modal:
      validateModal(data);
      break;
  }

  interaction.recordResponse(type, data, now);
  state.events.emit('interactionResponse', interaction);
  if (!withResponse) return noContent();
  const resource: JsonObject = { type };
  if (message) resource['message'] = message.data;
  return ok({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      activity_instance_id: null,
      response_message_id: message?.id ?? null,
      response_message_loading: message?.loading ?? false,
      response_message_ephemeral: message?.ephemeral ?? false,
    },
    resource,
  });
};

/** The interaction a webhook token belongs to, if the token is (still) usable. */
function webhookInteraction(ctx: RouteContext): InteractionRecord {
  const { state, applicationId } = ctx.env;
  if (ctx.params['app'] !== applicationId) throw Errors.unknownWebhook();
  const interaction = state.interactionsByToken.get(ctx.params['token']!);
  if (!interaction) throw Errors.unknownWebhook();
  if (interaction.tokenExpired(state.now())) throw Errors.invalidWebhookToken();
  if (!interaction.acknowledged) throw Errors.unknownWebhook();
  return interaction;
}

/** `@original` or one of this interaction's follow-ups. */
function webhookMessage(ctx: RouteContext, interaction: InteractionRecord): StoredMessage {
  const ref = ctx.params['message']!;
  if (ref === '@original') return liveMessage(ctx, interaction.originalMessageId);
  if (ref !== interaction.originalMessageId && !interaction.followUpIds.includes(ref)) throw Errors.unknownMessage();
  return liveMessage(ctx, ref);
}

const getMessage = (ctx: RouteContext) => ok(webhookMessage(ctx, webhookInteraction(ctx)).data);

const editMessage = async (ctx: RouteContext) => {
  const interaction = webhookInteraction(ctx);
  const message = webhookMessage(ctx, interaction);
  const request = messageRequest(await ctx.body());
  const edited = ctx.env.messages.edit(message, request, ctx.env.state.uploadLimitFor(message.channelId));
  return ok(edited.data);
};

const deleteMessage = (ctx: RouteContext) => {
  const interaction = webhookInteraction(ctx);
  ctx.env.state.deleteMessage(webhookMessage(ctx, interaction));
  return noContent();
};

const followUp = async (ctx: RouteContext) => {
  const { state, messages } = ctx.env;
  const interaction = webhookInteraction(ctx);
  const wait = queryFlag(ctx.query, 'wait', true);
  const request = messageRequest(await ctx.body());
  const channel = state.channels.get(interaction.channelId);
  if (!channel) throw Errors.unknownChannel();
  const uploadLimit = state.uploadLimitFor(channel.data.id);
  const original = interaction.originalMessageId ? state.messages.get(interaction.originalMessageId) : undefined;
  let message: StoredMessage;
  if (original?.loading && !original.deleted && interaction.followUpIds.length === 0) {
    // After a defer, the first follow-up fills the "thinking…" placeholder (keeping its ephemerality).
    message = messages.edit(original, request, uploadLimit);
  } else {
    const flags = typeof request.body['flags'] === 'number' ? request.body['flags'] : 0;
    message = messages.create({
      channel,
      author: state.botUser,
      request,
      source: 'follow-up',
      type: responseMessageType(interaction),
      uploadLimitBytes: uploadLimit,
      ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
      interactionId: interaction.id,
      extra: interaction.messageLinkage(state.userObject(interaction.userId), {
        followUpOf: interaction.originalMessageId ?? undefined,
      }),
      beforeInsert: (id) => {
        interaction.followUpIds.push(id);
      },
    });
  }
  if (!interaction.followUpIds.includes(message.id)) interaction.followUpIds.push(message.id);
  return wait ? ok(message.data) : noContent();
};

export const interactionRoutes: RouteDefinition[] = [
  { method: 'POST', pattern: '/interactions/:interaction/:token/callback', auth: 'none', handler: callback },
  { method: 'POST', pattern: '/webhooks/:app/:token', auth: 'none', handler: followUp },
  { method: 'GET', pattern: '/webhooks/:app/:token/messages/:message', auth: 'none', handler: getMessage },
  { method: 'PATCH', pattern: '/webhooks/:app/:token/messages/:message', auth: 'none', handler: editMessage },
  { method: 'DELETE', pattern: '/webhooks/:app/:token/messages/:message', auth: 'none', handler: deleteMessage },
];
