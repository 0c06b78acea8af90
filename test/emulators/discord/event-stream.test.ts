/**
 * The control API routes a browser page uses: the Server-Sent Events stream (messages with their
 * ephemeral recipient, interaction responses), the world, a channel's messages, autocomplete
 * choices, select menus and modals — against a real discord.js client answering them.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type Client,
  MessageFlags,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient } from './helpers.js';

interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE response and hands out parsed events as they come. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const events: StreamEvent[] = [];
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => undefined);
  return {
    events,
    async next(predicate: (e: StreamEvent) => boolean, timeoutMs = 5_000): Promise<StreamEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching event; got ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await reader.cancel();
      await pump;
    },
  };
}

let emulator: DiscordEmulator;
let client: Client<true>;
let base: string;

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  emulator = await startDiscordEmulator({
    controlApi: true,
    users: [{ username: 'alice' }, { username: 'bob' }],
    guilds: [{ name: 'Sandbox', members: [{ user: 'alice' }, { user: 'bob' }] }],
  });
  base = emulator.apiUrl.replace(/\/api$/, '');
  client = await loginClient(emulator);
  client.on('interactionCreate', async (interaction) => {
    if (interaction.isAutocomplete()) {
      const typed = String(interaction.options.getFocused());
      await interaction.respond([{ name: `echo ${typed}`, value: typed }]);
    } else if (interaction.isChatInputCommand() && interaction.commandName === 'secret') {
      await interaction.reply({ content: `for ${interaction.user.username}`, flags: MessageFlags.Ephemeral });
    } else if (interaction.isChatInputCommand() && interaction.commandName === 'upload') {
      const file = interaction.options.getAttachment('file', true);
      const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
      await interaction.reply({ content: `got ${file.name} ${file.size} ${bytes.toString('utf8')}` });
    } else if (interaction.isChatInputCommand() && interaction.commandName === 'menu') {
      const select = new StringSelectMenuBuilder()
        .setCustomId('pick')
        .addOptions({ label: 'Red', value: 'red' }, { label: 'Blue', value: 'blue' });
      const button = new ButtonBuilder().setCustomId('ask').setLabel('Ask').setStyle(ButtonStyle.Primary);
      await interaction.reply({
        content: 'choose',
        components: [
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select),
          new ActionRowBuilder<ButtonBuilder>().addComponents(button),
        ],
      });
    } else if (interaction.isStringSelectMenu()) {
      await interaction.update({ content: `picked ${interaction.values.join(',')}`, components: [] });
    } else if (interaction.isButton()) {
      const input = new TextInputBuilder().setCustomId('note').setLabel('Note').setStyle(TextInputStyle.Short);
      await interaction.showModal(
        new ModalBuilder()
          .setCustomId('notes')
          .setTitle('A note')
          .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)),
      );
    } else if (interaction.isModalSubmit()) {
      await interaction.reply({ content: `noted ${interaction.fields.getTextInputValue('note')}` });
    }
  });
  await client.application.commands.set([
    { name: 'secret', description: 'An ephemeral answer' },
    { name: 'menu', description: 'A select menu and a button' },
    {
      name: 'upload',
      description: 'An attachment option',
      options: [{ type: 11, name: 'file', description: 'f', required: true }],
    },
    {
      name: 'find',
      description: 'Autocomplete',
      options: [{ type: 3, name: 'query', description: 'q', required: true, autocomplete: true }],
    },
  ]);
}, 30_000);

afterAll(async () => {
  await client?.destroy();
  await emulator?.close();
});

describe('the control API for a browser page', () => {
  it('streams messages, with the recipient of an ephemeral one, and interaction responses', async () => {
    const response = await fetch(`${base}/_emulator/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = eventReader(response.body!);
    try {
      const channel = emulator.channelByName('general');
      const sent = await post('slash', { user: 'alice', channel: channel.data.id, name: 'secret' });
      expect(sent.status).toBe(200);
      const alice = emulator.interaction(String(sent.json['id']))!.userId;
      expect(emulator.state.users.get(alice)?.user.username).toBe('alice');
      const created = await stream.next((e) => e.event === 'message' && e.data['op'] === 'create');
      const message = created.data['message'] as Record<string, unknown>;
      expect(message['ephemeral']).toBe(true);
      expect(message['recipientId']).toBe(alice);
      expect((message['data'] as { content: string }).content).toBe('for alice');
      const answered = await stream.next((e) => e.event === 'interaction' && e.data['id'] === sent.json['id']);
      expect(answered.data['response']).toMatchObject({ type: 4 });
      // The page reads history with ephemeral messages included, each marked with its recipient.
      const history = (await (await fetch(`${base}/_emulator/messages?channel=${channel.data.id}`)).json()) as Array<
        Record<string, unknown>
      >;
      expect(history.find((m) => m['id'] === message['id'])).toMatchObject({ ephemeral: true, recipientId: alice });
    } finally {
      await stream.close();
    }
  });

  it('describes the world, answers autocomplete with the bot’s choices, and passes select menus and modals on', async () => {
    const world = (await (await fetch(`${base}/_emulator/world`)).json()) as {
      guilds: Array<{ members: Array<{ username: string }>; channels: Array<{ name: string; type: number }> }>;
      commands: { global: Array<{ name: string }> };
    };
    expect(world.guilds[0]!.members.map((m) => m.username)).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(world.guilds[0]!.channels).toContainEqual(expect.objectContaining({ name: 'general', type: 0 }));
    expect(world.commands.global.map((c) => c.name).sort()).toEqual(['find', 'menu', 'secret', 'upload']);

    const channel = emulator.channelByName('general').data.id;
    const choices = await post('autocomplete-choices', {
      user: 'bob',
      channel,
      name: 'find',
      options: { query: 'fox' },
      focused: 'query',
    });
    expect(choices.json['choices']).toEqual([{ name: 'echo fox', value: 'fox' }]);

    const menu = await post('slash', { user: 'bob', channel, name: 'menu' });
    const shown = await emulator.interaction(String(menu.json['id']))!.firstResponse;
    expect(shown.type).toBe(4);
    const menuMessage = emulator.message(emulator.interaction(String(menu.json['id']))!.originalMessageId!)!;

    const clicked = await post('click', { user: 'bob', message: menuMessage.id, customId: 'ask', locale: 'zh-TW' });
    const click = emulator.interaction(String(clicked.json['id']))!;
    expect((await click.firstResponse).type).toBe(9);
    expect(click.locale).toBe('zh-TW');
    const submitted = await post('modal', { user: 'bob', interaction: click.id, values: { note: 'hello' } });
    expect(submitted.status).toBe(200);
    await emulator.waitForMessage((m) => m.data.content === 'noted hello', { timeoutMs: 5_000 });

    const picked = await post('select', { user: 'bob', message: menuMessage.id, customId: 'pick', values: ['blue'] });
    expect(picked.status).toBe(200);
    await emulator.interaction(String(picked.json['id']))!.firstResponse;
    expect(emulator.message(menuMessage.id)!.data.content).toBe('picked blue');

    expect((await post('modal', { user: 'bob', interaction: '1', values: {} })).status).toBe(404);
  });

  it('passes a file uploaded for an attachment option (base64 in JSON) to the bot', async () => {
    const channel = emulator.channelByName('general').data.id;
    const file = {
      filename: 'note.txt',
      base64: Buffer.from('hello file').toString('base64'),
      contentType: 'text/plain',
    };
    const sent = await post('slash', { user: 'alice', channel, name: 'upload', options: { file } });
    expect(sent.status).toBe(200);
    const answer = await emulator.waitForMessage((m) => m.data.content.startsWith('got '), { timeoutMs: 5_000 });
    expect(answer.data.content).toBe('got note.txt 10 hello file');
  });
});
