/**
 * Forms (callback type 9) as Discord takes them: title ≤ 45, 1–5 top-level components, text
 * inputs in action rows (label ≤ 45) or in Label components (type 18, label ≤ 45), lengths
 * within 0–4,000, a prefilled value within its own max_length. A refused form is 400 / 50035
 * and the member sees nothing.
 */
import type { Client, Interaction } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { provokingContractViolations } from '../../helpers/contract.js';
import { loginClient } from './helpers.js';

type Json = Record<string, unknown>;

const input = (customId: string, extra: Json = {}): Json => ({ type: 4, custom_id: customId, style: 1, ...extra });
const labelled = (label: string, component: Json): Json => ({ type: 18, label, component });

describe('forms (modals)', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let form: Json = {};
  const outcomes: Array<{ ok: boolean; error?: { code?: unknown; status?: unknown } }> = [];

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
    client = await loginClient(emulator);
    client.on('interactionCreate', (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      interaction.showModal(form as never).then(
        () => outcomes.push({ ok: true }),
        (error: { code?: unknown; status?: unknown }) => outcomes.push({ ok: false, error }),
      );
    });
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  async function show(body: Json): Promise<{ ok: boolean; error?: { code?: unknown; status?: unknown } }> {
    form = body;
    const count = outcomes.length;
    return provokingContractViolations(async () => {
      emulator.runSlashCommand({ user: 'alice', guild: emulator.defaultGuild.id }, 'remix');
      await expect.poll(() => outcomes.length).toBeGreaterThan(count);
      return outcomes.at(-1)!;
    });
  }

  const base = (components: Json[], extra: Json = {}): Json => ({
    custom_id: 'sd1:remix:form',
    title: 'Remix',
    components,
    ...extra,
  });

  it('shows a form of text inputs in rows or labels', async () => {
    const shown = await show(
      base([
        labelled('Prompt', input('prompt', { style: 2, value: 'a fox', max_length: 600 })),
        { type: 1, components: [input('count', { label: 'Count', min_length: 1, max_length: 2, value: '4' })] },
      ]),
    );
    expect(shown).toEqual({ ok: true });
  });

  it('refuses a form Discord would refuse', async () => {
    const cases: Array<[string, Json]> = [
      ['title over 45', base([labelled('Prompt', input('p'))], { title: 'x'.repeat(46) })],
      ['no components', base([])],
      ['six components', base(Array.from({ length: 6 }, (_, i) => labelled(`F${i}`, input(`f${i}`))))],
      ['label over 45', base([labelled('x'.repeat(46), input('p'))])],
      ['row input label over 45', base([{ type: 1, components: [input('p', { label: 'x'.repeat(46) })] }])],
      ['max_length over 4,000', base([labelled('Prompt', input('p', { max_length: 4_001 }))])],
      ['min_length over 4,000', base([labelled('Prompt', input('p', { min_length: 4_001 }))])],
      ['value over 4,000', base([labelled('Prompt', input('p', { value: 'x'.repeat(4_001) }))])],
      ['unknown style', base([labelled('Prompt', input('p', { style: 3 }))])],
      ['duplicate custom_id', base([labelled('A', input('p')), labelled('B', input('p'))])],
      ['custom_id over 100', base([labelled('Prompt', input('p'))], { custom_id: 'x'.repeat(101) })],
      ['value longer than its max_length', base([labelled('Count', input('c', { max_length: 2, value: '123' }))])],
      ['min_length above max_length', base([labelled('Count', input('c', { min_length: 3, max_length: 2 }))])],
    ];
    const accepted: string[] = [];
    for (const [name, body] of cases) {
      const shown = await show(body);
      if (shown.ok || shown.error?.code !== 50035) accepted.push(name);
    }
    expect(accepted).toEqual([]);
  });
});
