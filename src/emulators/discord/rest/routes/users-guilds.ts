import { Errors } from '../../errors.js';
import { hasPermission } from '../../permissions.js';
import { THREAD_TYPES } from '../../rules/limits.js';
import { ok, type RouteContext, type RouteDefinition } from '../context.js';
import { jsonObject } from './shared.js';

function guildOf(ctx: RouteContext) {
  const guild = ctx.env.state.guilds.get(ctx.params['guild']!);
  if (!guild) throw Errors.unknownGuild();
  return guild;
}

export const userAndGuildRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    pattern: '/users/@me',
    auth: 'bot',
    handler: ({ env }) => ok({ ...env.state.botUser, bot: true, verified: true, mfa_enabled: false, locale: 'en-US' }),
  },
  {
    method: 'POST',
    pattern: '/users/@me/channels',
    auth: 'bot',
    handler: async (ctx) => {
      const body = jsonObject(await ctx.body());
      const recipient = body['recipient_id'];
      if (typeof recipient !== 'string')
        throw Errors.invalidFormBody('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
      if (!ctx.env.state.users.has(recipient) || recipient === ctx.env.state.botUser.id) throw Errors.unknownUser();
      return ok(ctx.env.state.dmChannelFor(recipient).data);
    },
  },
  {
    method: 'GET',
    pattern: '/users/@me/guilds',
    auth: 'bot',
    handler: ({ env }) =>
      ok(
        [...env.state.guilds.values()].map((g) => ({
          id: g.id,
          name: g.name,
          icon: null,
          owner: false,
          permissions: '0',
          features: [],
        })),
      ),
  },
  {
    method: 'GET',
    pattern: '/users/:user',
    auth: 'bot',
    handler: ({ env, params }) => {
      const record = env.state.users.get(params['user']!);
      if (!record) throw Errors.unknownUser();
      return ok(record.user);
    },
  },
  {
    method: 'GET',
    pattern: '/applications/@me',
    auth: 'bot',
    handler: ({ env }) => ok(applicationObject(env.applicationId, env.state.botUser)),
  },
  {
    method: 'GET',
    pattern: '/oauth2/applications/@me',
    auth: 'bot',
    handler: ({ env }) => ok(applicationObject(env.applicationId, env.state.botUser)),
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild',
    auth: 'bot',
    handler: (ctx) => {
      const payload = ctx.env.state.guildCreatePayload(guildOf(ctx).id, false);
      const { members: _m, channels: _c, threads: _t, voice_states: _v, presences: _p, ...guild } = payload;
      return ok(guild);
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/channels',
    auth: 'bot',
    handler: (ctx) => {
      const guild = guildOf(ctx);
      const channels = guild.channelIds
        .map((id) => ctx.env.state.channels.get(id)!)
        .filter((c) => !THREAD_TYPES.has(c.data.type))
        .map((c) => c.data);
      return ok(channels);
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/threads/active',
    auth: 'bot',
    handler: (ctx) => {
      const guild = guildOf(ctx);
      const { state } = ctx.env;
      // Threads that are not archived and that the bot can see (a thread shows its parent's rights).
      const threads = guild.channelIds
        .map((id) => state.channels.get(id)!)
        .filter(
          (c) =>
            THREAD_TYPES.has(c.data.type) &&
            !c.data.thread_metadata?.archived &&
            hasPermission(state.botPermissionsIn(c.data.id), 'ViewChannel'),
        )
        .map((c) => c.data);
      return ok({ threads, members: [], has_more: false });
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/roles',
    auth: 'bot',
    handler: (ctx) => ok([...guildOf(ctx).roles.values()]),
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/members/:user',
    auth: 'bot',
    handler: (ctx) => {
      const guild = guildOf(ctx);
      const userId = ctx.params['user']!;
      if (!guild.members.has(userId)) throw Errors.unknownMember();
      return ok(ctx.env.state.memberObject(guild.id, userId));
    },
  },
];

function applicationObject(id: string, bot: { id: string; username: string }) {
  return {
    id,
    name: bot.username,
    icon: null,
    description: 'Discord emulator application',
    summary: '',
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    owner: {
      id: '0',
      username: 'emulator',
      discriminator: '0',
      global_name: null,
      avatar: null,
      public_flags: 0,
      flags: 0,
      primary_guild: null,
    },
    bot,
    integration_types_config: { '0': {} },
    interactions_endpoint_url: null,
    approximate_guild_count: 0,
  };
}
