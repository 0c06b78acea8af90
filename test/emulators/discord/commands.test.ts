/** Command registration as Discord validates it: names, lengths, choices, option order, localisations. */
import { type Client, SlashCommandBuilder } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { contractRefusalOf, loginClient } from './helpers.js';

type Json = Record<string, unknown>;

describe('application commands', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
    client = await loginClient(emulator);
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const base = (overrides: Json = {}): Json => ({ name: 'imagine', description: 'Generate images', ...overrides });

  /** Bulk-overwrites global commands with raw JSON (no builder-side checks) and returns the rejection. */
  const rejected = (commands: Json[]) => contractRefusalOf(() => client.application.commands.set(commands as never));

  function errorAt(error: { rawError?: unknown }, path: Array<string | number>): unknown {
    let node = (error.rawError as { errors: Json }).errors as Json | undefined;
    for (const key of path) node = node?.[String(key)] as Json | undefined;
    return node?.['_errors'];
  }

  it('registers localised commands globally and per guild with bulk PUT, keeping ids across overwrites', async () => {
    const imagine = new SlashCommandBuilder()
      .setName('imagine')
      .setDescription('Generate a set of images')
      .setNameLocalizations({ 'zh-TW': '生成圖片', 'zh-CN': '生成图片' })
      .setDescriptionLocalizations({ 'zh-TW': '生成一組圖片', 'zh-CN': '生成一组图片' })
      .addStringOption((o) => o.setName('prompt').setDescription('Prompt').setRequired(true).setMaxLength(6_000))
      .addStringOption((o) =>
        o
          .setName('aspect')
          .setDescription('Aspect ratio')
          .addChoices(
            { name: '16:9', value: '16:9', name_localizations: { 'zh-TW': '寬螢幕' } },
            { name: '1:1', value: '1:1' },
          ),
      )
      .addIntegerOption((o) => o.setName('count').setDescription('Images').setMinValue(1).setMaxValue(15))
      .toJSON();
    const gallery = new SlashCommandBuilder()
      .setName('gallery')
      .setDescription('Browse sets')
      .addSubcommand((s) => s.setName('browse').setDescription('Browse'))
      .toJSON();
    const first = await client.application.commands.set([imagine, gallery]);
    expect(first.map((c) => c.name).sort()).toEqual(['gallery', 'imagine']);
    const again = await client.application.commands.set([imagine]);
    expect(again.first()?.id).toBe(first.find((c) => c.name === 'imagine')?.id);
    expect(emulator.commands().map((c) => c.name)).toEqual(['imagine']);
    expect(emulator.commands()[0]?.name_localizations).toEqual({ 'zh-TW': '生成圖片', 'zh-CN': '生成图片' });

    const guildId = emulator.defaultGuild.id;
    await client.application.commands.set([gallery], guildId);
    expect(emulator.commands(guildId).map((c) => c.name)).toEqual(['gallery']);
    expect(emulator.commands(guildId)[0]?.guild_id).toBe(guildId);

    // POST upserts by name; DELETE removes.
    const created = await client.application.commands.create(base({ name: 'status', description: 'Status' }) as never);
    expect(
      emulator
        .commands()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['imagine', 'status']);
    await client.application.commands.delete(created.id);
    expect(emulator.commands().map((c) => c.name)).toEqual(['imagine']);
  });

  it('rejects invalid names (uppercase, spaces, too long)', async () => {
    for (const name of ['Imagine', 'two words', 'x'.repeat(33), '']) {
      const error = await rejected([base({ name })]);
      expect(error.status).toBe(400);
      expect(error.code).toBe(50035);
      expect(errorAt(error, [0, 'name'])).toBeDefined();
    }
  });

  it('rejects descriptions outside 1–100 characters', async () => {
    const error = await rejected([base({ description: 'd'.repeat(101) })]);
    expect(error.code).toBe(50035);
    // The spec's limit words it as a maximum (its description is optional for other command types).
    expect(errorAt(error, [0, 'description'])).toEqual([
      { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' },
    ]);
  });

  it('rejects more than 25 options and more than 25 choices', async () => {
    const options = Array.from({ length: 26 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'd' }));
    expect(errorAt(await rejected([base({ options })]), [0, 'options'])).toBeDefined();
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `v${i}` }));
    const error = await rejected([base({ options: [{ type: 3, name: 'pick', description: 'd', choices }] })]);
    expect(errorAt(error, [0, 'options', 0, 'choices'])).toBeDefined();
  });

  it('rejects choice values of the wrong type and choices together with autocomplete', async () => {
    const wrong = await rejected([
      base({ options: [{ type: 4, name: 'n', description: 'd', choices: [{ name: 'one', value: 1.5 }] }] }),
    ]);
    expect(errorAt(wrong, [0, 'options', 0, 'choices', 0, 'value'])).toBeDefined();
    const both = await rejected([
      base({
        options: [{ type: 3, name: 's', description: 'd', autocomplete: true, choices: [{ name: 'a', value: 'a' }] }],
      }),
    ]);
    expect(errorAt(both, [0, 'options', 0, 'autocomplete'])).toBeDefined();
  });

  it('rejects required options after optional ones, duplicate names and string lengths over 6,000', async () => {
    const order = await rejected([
      base({
        options: [
          { type: 3, name: 'a', description: 'd' },
          { type: 3, name: 'b', description: 'd', required: true },
        ],
      }),
    ]);
    expect(errorAt(order, [0, 'options', 1, 'required'])).toBeDefined();
    const duplicate = await rejected([base(), base()]);
    expect(errorAt(duplicate, [1, 'name'])).toBeDefined();
    const long = await rejected([base({ options: [{ type: 3, name: 'p', description: 'd', max_length: 6_001 }] })]);
    expect(errorAt(long, [0, 'options', 0, 'max_length'])).toBeDefined();
  });

  it('rejects unknown locales and invalid localised names', async () => {
    const locale = await rejected([base({ name_localizations: { 'zh-HK': '生成' } })]);
    expect(errorAt(locale, [0, 'name_localizations', 'zh-HK'])).toBeDefined();
    const localisedName = await rejected([base({ name_localizations: { 'zh-TW': '生成 圖片' } })]);
    expect(errorAt(localisedName, [0, 'name_localizations', 'zh-TW'])).toBeDefined();
    const localisedDescription = await rejected([base({ description_localizations: { 'zh-TW': '' } })]);
    expect(errorAt(localisedDescription, [0, 'description_localizations', 'zh-TW'])).toBeDefined();
  });

  it('types interaction options by the registered definition', async () => {
    await client.application.commands.set([
      {
        name: 'typed',
        description: 'All option types',
        options: [
          { type: 3, name: 'text', description: 'd' },
          { type: 4, name: 'whole', description: 'd' },
          { type: 10, name: 'ratio', description: 'd' },
          { type: 5, name: 'flag', description: 'd' },
          { type: 6, name: 'who', description: 'd' },
          { type: 11, name: 'file', description: 'd' },
        ],
      },
    ]);
    const received = new Promise<Json>((resolve) => {
      client.once('interactionCreate', (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        const o = interaction.options;
        resolve({
          text: o.getString('text'),
          whole: o.getInteger('whole'),
          ratio: o.getNumber('ratio'),
          flag: o.getBoolean('flag'),
          who: o.getUser('who')?.username,
          whoIsMember: o.getMember('who') !== null,
          file: o.getAttachment('file')?.name,
          fileSize: o.getAttachment('file')?.size,
        });
      });
    });
    const bob = emulator.createUser({ username: 'bob' });
    const handle = emulator.runSlashCommand({ user: { username: 'carol' }, guild: emulator.defaultGuild.id }, 'typed', {
      text: 'hello',
      whole: 3,
      ratio: 1.5,
      flag: true,
      who: bob.id,
      file: { filename: 'ref image.png', data: 'not really a png' },
    });
    expect(await received).toEqual({
      text: 'hello',
      whole: 3,
      ratio: 1.5,
      flag: true,
      who: 'bob',
      whoIsMember: true,
      file: 'ref_image.png',
      fileSize: 16,
    });
    const options = (handle.payload['data'] as Json)['options'] as Json[];
    expect(options.map((o) => o['type'])).toEqual([3, 4, 10, 5, 6, 11]);

    // Sub-commands nest their options as Discord does.
    await client.application.commands.create({
      name: 'gallery',
      description: 'Gallery',
      options: [
        { type: 1, name: 'browse', description: 'Browse', options: [{ type: 4, name: 'page', description: 'Page' }] },
      ],
    });
    const sub = new Promise<string>((resolve) => {
      client.once('interactionCreate', (interaction) => {
        if (interaction.isChatInputCommand())
          resolve(`${interaction.options.getSubcommand()}:${interaction.options.getInteger('page')}`);
      });
    });
    emulator.runSlashCommand({ user: 'carol' }, 'gallery browse', { page: 3 });
    expect(await sub).toBe('browse:3');
    expect(() => emulator.runSlashCommand({ user: 'carol' }, 'gallery', {})).toThrow(/sub-command/);

    // The actor refuses what Discord's client would never send.
    expect(() =>
      emulator.runSlashCommand({ user: 'x', guild: emulator.defaultGuild.id }, 'typed', { whole: 1.5 }),
    ).toThrow(/integer/);
    expect(() =>
      emulator.runSlashCommand({ user: 'x', guild: emulator.defaultGuild.id }, 'typed', { nope: 1 }),
    ).toThrow(/no option/);
  });
});
