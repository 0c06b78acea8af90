/** Command registration: global and per guild, single and bulk (PUT overwrites the whole set). */
import { Errors } from '../../errors.js';
import { type CommandDefinition, validateCommand, validateCommandList } from '../../rules/command-rules.js';
import { Limits } from '../../rules/limits.js';
import type { ApiApplicationCommand, Snowflake } from '../../types.js';
import { noContent, ok, type RouteContext, type RouteDefinition } from '../context.js';

function scope(ctx: RouteContext): { guildId: Snowflake | null; commands: Map<Snowflake, ApiApplicationCommand> } {
  if (ctx.params['app'] !== ctx.env.applicationId) throw Errors.unknownApplication();
  const guildId = ctx.params['guild'] ?? null;
  if (guildId !== null && !ctx.env.state.guilds.has(guildId)) throw Errors.missingAccess();
  return { guildId, commands: ctx.env.state.commandsFor(guildId) };
}

function materialise(
  ctx: RouteContext,
  definition: CommandDefinition,
  guildId: Snowflake | null,
  existing: ApiApplicationCommand | undefined,
): ApiApplicationCommand {
  const command: ApiApplicationCommand = {
    ...definition,
    id: existing?.id ?? ctx.env.state.nextId(),
    application_id: ctx.env.applicationId,
    version: ctx.env.state.nextId(),
  };
  if (guildId) command.guild_id = guildId;
  return command;
}

function findSame(commands: Map<Snowflake, ApiApplicationCommand>, definition: CommandDefinition) {
  for (const command of commands.values())
    if (command.name === definition.name && command.type === definition.type) return command;
  return undefined;
}

function chatInputCount(commands: Iterable<ApiApplicationCommand | CommandDefinition>): number {
  let count = 0;
  for (const c of commands) if (c.type === 1) count++;
  return count;
}

const list = (ctx: RouteContext) => ok([...scope(ctx).commands.values()]);

const bulkOverwrite = async (ctx: RouteContext) => {
  const { guildId, commands } = scope(ctx);
  const definitions = validateCommandList((await ctx.body()).json);
  if (chatInputCount(definitions) > Limits.commandsPerScope) throw Errors.maxApplicationCommands();
  const next = definitions.map((definition) => materialise(ctx, definition, guildId, findSame(commands, definition)));
  commands.clear();
  for (const command of next) commands.set(command.id, command);
  ctx.env.state.events.emit('commandsUpdate', { guildId });
  return ok(next);
};

const create = async (ctx: RouteContext) => {
  const { guildId, commands } = scope(ctx);
  const definition = validateCommand((await ctx.body()).json);
  const existing = findSame(commands, definition);
  if (!existing && definition.type === 1 && chatInputCount(commands.values()) >= Limits.commandsPerScope) {
    throw Errors.maxApplicationCommands();
  }
  const command = materialise(ctx, definition, guildId, existing);
  if (existing) commands.delete(existing.id);
  commands.set(command.id, command);
  ctx.env.state.events.emit('commandsUpdate', { guildId });
  return ok(command, existing ? 200 : 201);
};

const getOne = (ctx: RouteContext) => {
  const command = scope(ctx).commands.get(ctx.params['command']!);
  if (!command) throw Errors.unknownApplicationCommand();
  return ok(command);
};

const edit = async (ctx: RouteContext) => {
  const { guildId, commands } = scope(ctx);
  const existing = commands.get(ctx.params['command']!);
  if (!existing) throw Errors.unknownApplicationCommand();
  const patch = (await ctx.body()).json;
  const { id: _id, application_id: _app, version: _v, guild_id: _g, ...current } = existing;
  const definition = validateCommand({ ...current, ...(typeof patch === 'object' && patch !== null ? patch : {}) });
  const command = materialise(ctx, definition, guildId, existing);
  commands.set(command.id, command);
  ctx.env.state.events.emit('commandsUpdate', { guildId });
  return ok(command);
};

const remove = (ctx: RouteContext) => {
  const { guildId, commands } = scope(ctx);
  if (!commands.delete(ctx.params['command']!)) throw Errors.unknownApplicationCommand();
  ctx.env.state.events.emit('commandsUpdate', { guildId });
  return noContent();
};

export const commandRoutes: RouteDefinition[] = [];
for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
  commandRoutes.push(
    { method: 'GET', pattern: base, auth: 'bot', handler: list },
    { method: 'PUT', pattern: base, auth: 'bot', handler: bulkOverwrite },
    { method: 'POST', pattern: base, auth: 'bot', handler: create },
    { method: 'GET', pattern: `${base}/:command`, auth: 'bot', handler: getOne },
    { method: 'PATCH', pattern: `${base}/:command`, auth: 'bot', handler: edit },
    { method: 'DELETE', pattern: `${base}/:command`, auth: 'bot', handler: remove },
  );
}
