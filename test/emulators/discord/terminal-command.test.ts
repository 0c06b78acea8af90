/** Lines typed into the stand-alone emulator's terminal, read against the bot's real registered commands. */
import { type Client, REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import {
  findButton,
  parseTerminalLine,
  splitOptions,
  type TerminalAction,
  TerminalInputError,
} from '../../../src/emulators/discord/terminal-command.js';
import { loginClient } from './helpers.js';

describe('the emulator terminal reads what a member types', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let ids: Record<'owner' | 'alice' | 'bob' | 'general' | 'gallery' | 'readOnly' | 'moderators', string>;

  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      users: [{ username: 'owner' }, { username: 'alice' }, { username: 'bob', locale: 'zh-TW' }],
      guilds: [],
    });
    const owner = emulator.state.ensureUser('owner').user.id;
    const guild = emulator.createGuild({
      name: 'Sandbox',
      ownerId: owner,
      roles: [{ name: 'Moderators', permissions: ['ManageMessages'] }],
      channels: [
        { name: 'general' },
        { name: 'gallery', type: 'forum', availableTags: [{ name: 'sets' }] },
        { name: 'read-only' },
      ],
      members: [{ user: 'alice' }, { user: 'bob' }],
    });
    ids = {
      owner,
      alice: emulator.state.ensureUser('alice').user.id,
      bob: emulator.state.ensureUser('bob').user.id,
      general: emulator.channelByName('general').data.id,
      gallery: emulator.channelByName('gallery').data.id,
      readOnly: emulator.channelByName('read-only').data.id,
      moderators: [...guild.roles.values()].find((r) => r.name === 'Moderators')!.id,
    };
    await new REST({ api: emulator.apiUrl })
      .setToken(emulator.botToken)
      .put(Routes.applicationGuildCommands(emulator.applicationId, guild.id), {
        body: commands.map((c) => c.definition),
      });
    client = await loginClient(emulator);
    client.on('interactionCreate', async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply({ content: 'ok', flags: 64 });
    });
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const parse = (line: string): TerminalAction =>
    parseTerminalLine(emulator.state, line, { user: ids.alice, channel: ids.general });
  const reason = (line: string): string => {
    try {
      parse(line);
    } catch (error) {
      expect(error).toBeInstanceOf(TerminalInputError);
      return (error as Error).message;
    }
    throw new Error(`"${line}" was accepted`);
  };

  it('types options by the registered definition: numbers only for number options', () => {
    expect(parse('/imagine prompt:"a lighthouse at dusk" count:4')).toEqual({
      kind: 'slash',
      user: ids.alice,
      channel: ids.general,
      name: 'imagine',
      options: { prompt: 'a lighthouse at dusk', count: 4 },
    });
    // A prompt of digits stays text; a seed is a number.
    expect(parse('/imagine prompt:1234 seed:42')).toMatchObject({ options: { prompt: '1234', seed: 42 } });
    expect(reason('/imagine prompt:x count:four')).toBe('count: expected a number, got "four"');
  });

  it('takes an unquoted value up to the next option, and keeps quotes and colons inside quoted ones', () => {
    expect(parse('/imagine prompt:a red fox at 10:30 count:3')).toMatchObject({
      options: { prompt: 'a red fox at 10:30', count: 3 },
    });
    expect(parse('/imagine prompt:"say \\"hi\\" aspect:none"')).toMatchObject({
      options: { prompt: 'say "hi" aspect:none' },
    });
    expect(splitOptions('a:1 b:"two words"')).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'two words'],
      ]),
    );
  });

  it('resolves channel, user and role options by name, and sub-commands by word', () => {
    expect(parse('as owner /gallery setup channel:#gallery')).toEqual({
      kind: 'slash',
      user: ids.owner,
      channel: ids.general,
      name: 'gallery setup',
      options: { channel: ids.gallery },
    });
    expect(parse('/gallery browse user:@bob search:"lighthouse"')).toMatchObject({
      options: { user: ids.bob, search: 'lighthouse' },
    });
    expect(parse('as @owner /settings roles add:@Moderators')).toMatchObject({
      name: 'settings roles',
      options: { add: ids.moderators },
    });
    expect(parse(`in #read-only as bob /imagine prompt:x`)).toMatchObject({ user: ids.bob, channel: ids.readOnly });
  });

  it('names what it does not know, and what it does', () => {
    expect(reason('/gallery setup channel:#nowhere')).toBe(
      'Unknown channel #nowhere in Sandbox (known: #general, #gallery, #read-only)',
    );
    expect(reason('/gallery browse user:@nobody')).toContain('Unknown user @nobody (known: owner, alice, bob');
    expect(reason('/settings roles add:@Admins')).toContain('Unknown role @Admins (known: @everyone, ');
    expect(reason('/imagine colour:red prompt:x')).toBe('/imagine: no option "colour"');
    expect(reason('/imagine a fox')).toBe('/imagine: Expected option:value, got "a fox"');
    expect(reason('/paint prompt:x')).toContain('/paint is not registered here');
    expect(reason('dance')).toBe('Unknown command "dance" (try "help")');
  });

  it('reads grant and deny of the bot permissions in a channel', () => {
    expect(parse('grant #gallery ManageThreads ManageChannels')).toEqual({
      kind: 'permissions',
      channel: ids.gallery,
      allow: ['ManageThreads', 'ManageChannels'],
      deny: [],
    });
    expect(parse('deny general AttachFiles')).toEqual({
      kind: 'permissions',
      channel: ids.general,
      allow: [],
      deny: ['AttachFiles'],
    });
  });

  it('what it reads, the emulator dispatches as Discord would: the channel resolved in the interaction', async () => {
    const action = parse('as owner /gallery setup channel:#gallery');
    if (action.kind !== 'slash') throw new Error('expected a slash command');
    const handle = emulator.runSlashCommand(
      { user: action.user, channel: action.channel },
      action.name,
      action.options,
    );
    await handle.waitForResponse();
    const data = handle.payload['data'] as {
      options: Array<{ name: string; options: Array<{ name: string; value: string }> }>;
      resolved: { channels: Record<string, { name: string }> };
    };
    expect(data.options[0]?.options[0]).toMatchObject({ name: 'channel', value: ids.gallery });
    expect(data.resolved.channels[ids.gallery]?.name).toBe('gallery');
  });

  it('finds a button by its label on the newest message the member can see', async () => {
    const channel = client.channels.cache.get(ids.general);
    if (!channel?.isSendable()) throw new Error('no #general');
    const older = await channel.send({
      content: 'older',
      components: [{ type: 1, components: [{ type: 2, style: 2, label: 'Cancel', custom_id: 'c:1' }] }],
    });
    const newer = await channel.send({
      content: 'newer',
      components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Cancel', custom_id: 'c:2' }] }],
    });
    expect(findButton(emulator.state, ids.alice, undefined, 'cancel')).toMatchObject({
      message: { id: newer.id },
      customId: 'c:2',
    });
    expect(findButton(emulator.state, ids.alice, older.id, 'c:1').customId).toBe('c:1');
    expect(() => findButton(emulator.state, ids.alice, undefined, 'Reroll')).toThrow(
      'No button "Reroll" on any message you can see',
    );
    expect(parse(`click ${older.id} c:1 bob`)).toMatchObject({
      kind: 'click',
      user: ids.bob,
      message: older.id,
      button: 'c:1',
    });
  });
});
