/**
 * What the terminal (and a test) can do beyond slash commands and buttons: attach a local file
 * to an attachment option, pick in a string select, fill in and submit a form (modal) the bot
 * showed. Each goes through the real discord.js client, and what Discord's client would not
 * let a member do is refused before anything is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, Interaction } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionHandle } from '../../../src/emulators/discord/actor.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { renderInteractionResponse, stateNames } from '../../../src/emulators/discord/render-text.js';
import {
  findSelect,
  parseTerminalLine,
  type TerminalAction,
  TerminalInputError,
} from '../../../src/emulators/discord/terminal-command.js';
import { loginClient, pngImage } from './helpers.js';

type Json = Record<string, unknown>;

describe('the terminal attaches files, picks in selects and submits forms', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let folder: string;
  let alice: string;
  let general: string;
  const seen: Json[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'emu-terminal-'));
    emulator = await startDiscordEmulator({ users: [{ username: 'alice' }] });
    alice = emulator.state.ensureUser('alice').user.id;
    general = emulator.channelByName('general').data.id;
    client = await loginClient(emulator);
    await client.application.commands.set(
      [
        {
          name: 'imagine',
          description: 'Generate images',
          options: [
            { type: 3, name: 'prompt', description: 'What to draw', required: true },
            { type: 11, name: 'reference1', description: 'A reference image' },
          ],
        },
      ],
      emulator.defaultGuild.id,
    );
    client.on('interactionCreate', (interaction) => {
      answer(interaction).catch((error: unknown) => seen.push({ error: String(error) }));
    });
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A small bot: a set with a Vary select and a Remix button; Remix shows a prefilled form. */
  async function answer(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      const reference = interaction.options.getAttachment('reference1');
      seen.push({
        prompt: interaction.options.getString('prompt'),
        reference: reference?.name,
        width: reference?.width,
      });
      await interaction.reply({
        content: 'set ready',
        components: [
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: 'sd1:vary',
                placeholder: 'Vary an image',
                options: [1, 2, 3].map((k) => ({ label: `Vary image ${k}`, value: String(k) })),
              },
            ],
          },
          { type: 1, components: [{ type: 2, style: 2, label: 'Remix', custom_id: 'sd1:remix' }] },
        ],
      });
    } else if (interaction.isStringSelectMenu()) {
      seen.push({ values: interaction.values });
      await interaction.deferUpdate();
    } else if (interaction.isButton()) {
      await interaction.showModal({
        custom_id: 'sd1:remix:form',
        title: 'Remix',
        components: [
          {
            type: 18,
            label: 'Prompt',
            component: { type: 4, custom_id: 'sd1:remix:prompt', style: 2, value: 'a red fox', max_length: 600 },
          },
          {
            type: 18,
            label: 'Count',
            component: { type: 4, custom_id: 'sd1:remix:count', style: 1, value: '4', min_length: 1, max_length: 2 },
          },
        ],
      } as never);
    } else if (interaction.isModalSubmit()) {
      seen.push({
        prompt: interaction.fields.getTextInputValue('sd1:remix:prompt'),
        count: interaction.fields.getTextInputValue('sd1:remix:count'),
      });
      await interaction.deferUpdate();
    }
  }

  const parse = (line: string): TerminalAction =>
    parseTerminalLine(emulator.state, line, { user: alice, channel: general });
  const reason = (line: string): string => {
    try {
      parse(line);
    } catch (error) {
      expect(error).toBeInstanceOf(TerminalInputError);
      return (error as Error).message;
    }
    throw new Error(`"${line}" was accepted`);
  };
  /** Does `act`, then waits for what the bot saw because of it. */
  async function botSees(act: () => unknown): Promise<Json> {
    const count = seen.length;
    act();
    await expect.poll(() => seen.length).toBeGreaterThan(count);
    return seen.at(-1)!;
  }

  it('attaches a local file with reference1:@path (or a bare path) to the attachment option', async () => {
    const path = join(folder, 'fox.png');
    writeFileSync(path, await pngImage(48, 32, 2));
    for (const line of [`/imagine prompt:"a fox" reference1:@${path}`, `/imagine prompt:"a fox" reference1:${path}`]) {
      const action = parse(line);
      if (action.kind !== 'slash') throw new Error(action.kind);
      expect(action.options['reference1']).toMatchObject({ filename: 'fox.png' });
      let handle: InteractionHandle | undefined;
      const saw = await botSees(() => {
        handle = emulator.runSlashCommand({ user: action.user, channel: action.channel }, action.name, action.options);
      });
      expect(saw).toEqual({ prompt: 'a fox', reference: 'fox.png', width: 48 });
      await handle!.waitForOriginal();
    }
    expect(reason(`/imagine prompt:x reference1:@${join(folder, 'missing.png')}`)).toMatch(/cannot read the file/);
  });

  it('picks in a string select by value or label; refuses what the select does not offer', async () => {
    const set = await emulator
      .runSlashCommand({ user: alice, channel: general }, 'imagine', { prompt: 'a fox' })
      .waitForOriginal();
    const action = parse('select "Vary an image" vary image 3');
    expect(action).toEqual({
      kind: 'select',
      user: alice,
      message: undefined,
      select: 'Vary an image',
      values: ['vary image 3'],
    });
    if (action.kind !== 'select') return;
    const target = findSelect(emulator.state, action.user, action.message, action.select, action.values);
    expect(target).toMatchObject({ customId: 'sd1:vary', values: ['3'] });
    expect(target.message.id).toBe(set.id);
    expect(await botSees(() => emulator.selectMenu(alice, target.message, target.customId, target.values))).toEqual({
      values: ['3'],
    });

    expect(findSelect(emulator.state, alice, set.id, 'sd1:vary', ['2']).values).toEqual(['2']);
    expect(() => findSelect(emulator.state, alice, undefined, 'sd1:vary', ['9'])).toThrow(/not an option/);
    // The actor holds a test to the same rules as Discord's client.
    expect(() => emulator.selectMenu(alice, set, 'sd1:vary', ['4'])).toThrow(/has no option 4/);
    expect(() => emulator.selectMenu(alice, set, 'sd1:vary', ['1', '2'])).toThrow(/takes 1–1 value/);
    expect(() => emulator.selectMenu(alice, set, 'sd1:vary', [])).toThrow(/takes 1–1 value/);
  });

  it('shows a form, then submits it with the fields typed and the prefilled rest', async () => {
    const set = await emulator
      .runSlashCommand({ user: alice, channel: general }, 'imagine', { prompt: 'a fox' })
      .waitForOriginal();
    expect(reason('submit prompt:x')).toMatch(/No open form/);
    const click = emulator.clickButton(alice, set, 'sd1:remix');
    expect((await click.waitForResponse()).type).toBe(9);
    expect(renderInteractionResponse(click.record, stateNames(emulator.state))?.split('\n')).toEqual([
      '? alice sees a form: Remix (sd1:remix:form)',
      '    Prompt [sd1:remix:prompt] paragraph required 0–600 chars = "a red fox"',
      '    Count [sd1:remix:count] required 1–2 chars = "4"',
      '    (fill it in: submit <field>:<value> …)',
    ]);

    expect(reason('submit colour:blue')).toMatch(/no option "colour"/);
    const action = parse('submit Prompt:"a blue fox: at dawn"');
    expect(action).toEqual({
      kind: 'submit',
      user: alice,
      interaction: click.id,
      values: { 'sd1:remix:prompt': 'a blue fox: at dawn' },
    });
    if (action.kind !== 'submit') return;
    // What Discord's client would not submit is refused before anything is sent.
    const shownBy = new InteractionHandle(emulator.interaction(action.interaction)!, emulator.state);
    expect(() => emulator.submitModal(alice, shownBy, { 'sd1:remix:count': '123' })).toThrow(/takes 1–2 characters/);
    expect(() => emulator.submitModal(alice, shownBy, { 'sd1:remix:prompt': '' })).toThrow(/is required/);
    expect(() => emulator.submitModal(alice, shownBy, { seed: '1' })).toThrow(/no field "seed"/);

    let submitted: InteractionHandle | undefined;
    const saw = await botSees(() => {
      submitted = emulator.submitModal(alice, shownBy, action.values);
    });
    expect(saw).toEqual({ prompt: 'a blue fox: at dawn', count: '4' });
    expect((await submitted!.waitForResponse()).type).toBe(6);
    const data = submitted!.payload['data'] as Json;
    expect(data['components']).toEqual([
      { type: 18, component: { type: 4, custom_id: 'sd1:remix:prompt', value: 'a blue fox: at dawn' } },
      { type: 18, component: { type: 4, custom_id: 'sd1:remix:count', value: '4' } },
    ]);
    // Submitted: the form is closed.
    expect(reason('submit Prompt:again')).toMatch(/No open form/);
  });
});
