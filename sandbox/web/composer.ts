/**
 * The message box: typing "/" lists the commands the bot registered (sub-commands flattened, as
 * Discord's picker shows them), in the chosen language; picking one shows its options as
 * fields — choices as menus, users/channels/roles from the server, files for attachment
 * options, and for autocomplete options the bot's own answers as you type.
 */

import { postJson } from './api.js';
import { el } from './dom.js';
import { type Command, type CommandOption, choicesSchema, type Locale } from './types.js';

const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;
const OptionType = {
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
};

export interface ComposerContext {
  commands(): Command[];
  locale(): Locale;
  userId(): string;
  /** Where the command runs: a guild channel, or a DM (no guild, no channel). */
  place(): { guild?: string; channel?: string };
  members(): Array<{ value: string; label: string }>;
  roles(): Array<{ value: string; label: string }>;
  channels(): Array<{ value: string; label: string }>;
  notify(text: string): void;
}

interface Entry {
  command: Command;
  /** Canonical path, e.g. "settings defaults". */
  path: string;
  label: string;
  description: string;
  options: CommandOption[];
}

type FieldValue = string | number | boolean | { filename: string; base64: string; contentType: string };

function localised(base: string, map: Record<string, string> | null | undefined, locale: Locale): string {
  return map?.[locale] ?? base;
}

function entriesOf(command: Command, locale: Locale): Entry[] {
  const name = localised(command.name, command.name_localizations, locale);
  const subs = (command.options ?? []).filter((o) => o.type === SUB_COMMAND || o.type === SUB_COMMAND_GROUP);
  if (subs.length === 0) {
    return [
      {
        command,
        path: command.name,
        label: name,
        description: localised(command.description, command.description_localizations, locale),
        options: command.options ?? [],
      },
    ];
  }
  return subs.flatMap((sub) => {
    const subName = localised(sub.name, sub.name_localizations, locale);
    if (sub.type === SUB_COMMAND) {
      return [
        {
          command,
          path: `${command.name} ${sub.name}`,
          label: `${name} ${subName}`,
          description: localised(sub.description, sub.description_localizations, locale),
          options: sub.options ?? [],
        },
      ];
    }
    return (sub.options ?? []).map((leaf) => ({
      command,
      path: `${command.name} ${sub.name} ${leaf.name}`,
      label: `${name} ${subName} ${localised(leaf.name, leaf.name_localizations, locale)}`,
      description: localised(leaf.description, leaf.description_localizations, locale),
      options: leaf.options ?? [],
    }));
  });
}

async function readFileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export class Composer {
  readonly root = el('div', 'composer');
  private readonly input = el('input', 'composer-input');
  private readonly popup = el('div', 'popup hidden');
  private readonly fields = el('div', 'option-fields hidden');
  private selected: Entry | undefined;
  private readonly values = new Map<string, () => Promise<FieldValue | undefined>>();
  private highlighted = 0;
  private shown: Entry[] = [];

  constructor(private readonly ctx: ComposerContext) {
    this.input.placeholder = 'Type / to use a command';
    this.input.dataset['testid'] = 'composer-input';
    this.input.addEventListener('input', () => this.showPicker());
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.root.append(this.popup, this.fields, this.input);
  }

  /** The language or the place changed: names shown change with it. */
  refresh(): void {
    if (this.selected) {
      const path = this.selected.path;
      const again = this.ctx
        .commands()
        .flatMap((c) => entriesOf(c, this.ctx.locale()))
        .find((e) => e.path === path);
      if (again) this.choose(again);
      else this.reset();
    } else if (!this.popup.classList.contains('hidden')) this.showPicker();
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.popup.classList.contains('hidden') && this.shown.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.highlighted = (this.highlighted + step + this.shown.length) % this.shown.length;
        this.renderPicker();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const entry = this.shown[this.highlighted];
        if (entry) this.choose(entry);
        return;
      }
    }
    if (event.key === 'Escape') this.reset();
    if (event.key === 'Enter' && this.selected) {
      event.preventDefault();
      void this.send();
    }
  }

  private showPicker(): void {
    const text = this.input.value;
    if (this.selected || !text.startsWith('/')) {
      this.popup.classList.add('hidden');
      return;
    }
    const query = text.slice(1).trim().toLowerCase();
    const locale = this.ctx.locale();
    this.shown = this.ctx
      .commands()
      .flatMap((c) => entriesOf(c, locale))
      .filter((e) => query === '' || e.label.toLowerCase().includes(query) || e.path.includes(query));
    this.highlighted = 0;
    this.renderPicker();
  }

  private renderPicker(): void {
    this.popup.replaceChildren();
    this.popup.classList.toggle('hidden', this.shown.length === 0);
    this.popup.dataset['testid'] = 'command-picker';
    this.shown.forEach((entry, index) => {
      const row = el('button', index === this.highlighted ? 'popup-row active' : 'popup-row');
      row.type = 'button';
      row.dataset['testid'] = 'command-choice';
      row.dataset['path'] = entry.path;
      row.append(el('span', 'popup-name', `/${entry.label}`), el('span', 'popup-desc', entry.description));
      row.addEventListener('mousedown', (event) => {
        event.preventDefault();
        this.choose(entry);
      });
      this.popup.append(row);
    });
  }

  private choose(entry: Entry): void {
    this.selected = entry;
    this.popup.classList.add('hidden');
    this.input.value = `/${entry.label} `;
    this.input.readOnly = true;
    this.values.clear();
    this.fields.replaceChildren();
    this.fields.classList.remove('hidden');
    const locale = this.ctx.locale();
    const ordered = [...entry.options].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
    for (const option of ordered) this.fields.append(this.field(option, locale));
    const actions = el('div', 'field-actions');
    const send = el('button', 'button primary', 'Send');
    send.type = 'button';
    send.dataset['testid'] = 'composer-send';
    send.addEventListener('click', () => void this.send());
    const cancel = el('button', 'button secondary', '✕');
    cancel.type = 'button';
    cancel.title = 'Clear';
    cancel.addEventListener('click', () => this.reset());
    actions.append(send, cancel);
    this.fields.append(actions);
    this.fields.querySelector<HTMLElement>('input, select')?.focus();
  }

  private field(option: CommandOption, locale: Locale): HTMLElement {
    const wrap = el('label', option.required ? 'field required' : 'field');
    wrap.dataset['option'] = option.name;
    const name = localised(option.name, option.name_localizations, locale);
    const description = localised(option.description, option.description_localizations, locale);
    wrap.append(el('span', 'field-name', name));
    wrap.title = description;
    const numeric = option.type === OptionType.Integer || option.type === OptionType.Number;
    const menu = (items: Array<{ value: string; label: string }>) => {
      const select = el('select');
      const none = el('option', undefined, option.required ? `— ${description}` : '—');
      none.value = '';
      select.append(none);
      for (const item of items) {
        const node = el('option', undefined, item.label);
        node.value = item.value;
        select.append(node);
      }
      return select;
    };
    if (option.choices && option.choices.length > 0) {
      const select = menu(
        option.choices.map((c) => ({ value: String(c.value), label: localised(c.name, c.name_localizations, locale) })),
      );
      this.values.set(option.name, async () =>
        select.value === '' ? undefined : numeric ? Number(select.value) : select.value,
      );
      wrap.append(select);
      return wrap;
    }
    if (option.type === OptionType.Boolean) {
      const select = menu([
        { value: 'true', label: 'True' },
        { value: 'false', label: 'False' },
      ]);
      this.values.set(option.name, async () => (select.value === '' ? undefined : select.value === 'true'));
      wrap.append(select);
      return wrap;
    }
    const picks: Record<number, () => Array<{ value: string; label: string }>> = {
      [OptionType.User]: () => this.ctx.members(),
      [OptionType.Role]: () => this.ctx.roles(),
      [OptionType.Channel]: () => this.ctx.channels(),
      [OptionType.Mentionable]: () => [...this.ctx.members(), ...this.ctx.roles()],
    };
    const pick = picks[option.type];
    if (pick) {
      const select = menu(pick());
      this.values.set(option.name, async () => (select.value === '' ? undefined : select.value));
      wrap.append(select);
      return wrap;
    }
    if (option.type === OptionType.Attachment) {
      const file = el('input');
      file.type = 'file';
      this.values.set(option.name, async () => {
        const chosen = file.files?.[0];
        if (!chosen) return undefined;
        return {
          filename: chosen.name,
          base64: await readFileBase64(chosen),
          contentType: chosen.type || 'application/octet-stream',
        };
      });
      wrap.append(file);
      return wrap;
    }
    const input = el('input');
    input.type = numeric && !option.autocomplete ? 'number' : 'text';
    input.placeholder = description;
    if (option.max_length !== undefined) input.maxLength = option.max_length;
    if (option.min_value !== undefined) input.min = String(option.min_value);
    if (option.max_value !== undefined) input.max = String(option.max_value);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !wrap.querySelector('.suggestions:not(.hidden)')) {
        event.preventDefault();
        void this.send();
      }
    });
    // An autocomplete choice shows its name but sends its value, as in Discord.
    let chosenValue: string | number | undefined;
    this.values.set(option.name, async () => {
      if (chosenValue !== undefined) return chosenValue;
      if (input.value === '') return undefined;
      return numeric ? Number(input.value) : input.value;
    });
    wrap.append(input);
    if (option.autocomplete) {
      const suggestions = el('div', 'suggestions hidden');
      suggestions.dataset['testid'] = 'autocomplete-choices';
      let timer: number | undefined;
      const ask = () => {
        chosenValue = undefined;
        window.clearTimeout(timer);
        timer = window.setTimeout(
          () => void this.autocomplete(option.name, suggestions, input, (v) => (chosenValue = v)),
          150,
        );
      };
      input.addEventListener('input', ask);
      input.addEventListener('focus', ask);
      input.addEventListener('blur', () => window.setTimeout(() => suggestions.classList.add('hidden'), 150));
      wrap.append(suggestions);
    }
    return wrap;
  }

  private async currentOptions(except?: string): Promise<Record<string, FieldValue>> {
    const options: Record<string, FieldValue> = {};
    for (const [name, read] of this.values) {
      if (name === except) continue;
      const value = await read();
      if (value !== undefined) options[name] = value;
    }
    return options;
  }

  private async autocomplete(
    focused: string,
    box: HTMLElement,
    input: HTMLInputElement,
    choose: (value: string | number) => void,
  ): Promise<void> {
    const entry = this.selected;
    if (!entry) return;
    try {
      const options = { ...(await this.currentOptions(focused)), [focused]: input.value };
      const answer = await postJson(
        '/discord/autocomplete-choices',
        { user: this.ctx.userId(), ...this.ctx.place(), locale: this.ctx.locale(), name: entry.path, options, focused },
        choicesSchema,
      );
      box.replaceChildren();
      for (const choice of answer.choices) {
        const row = el('button', 'popup-row', choice.name);
        row.type = 'button';
        row.addEventListener('mousedown', (event) => {
          event.preventDefault();
          input.value = choice.name;
          choose(choice.value);
          box.classList.add('hidden');
        });
        box.append(row);
      }
      if (answer.choices.length === 0) box.append(el('div', 'popup-empty', 'No options match your search'));
      box.classList.remove('hidden');
    } catch (error) {
      this.ctx.notify(`Autocomplete failed: ${(error as Error).message}`);
    }
  }

  private async send(): Promise<void> {
    const entry = this.selected;
    if (!entry) return;
    const options = await this.currentOptions();
    const missing = entry.options.filter((o) => o.required && options[o.name] === undefined);
    if (missing.length > 0) {
      for (const o of missing) this.fields.querySelector(`[data-option="${o.name}"]`)?.classList.add('missing');
      return;
    }
    try {
      await postJson('/discord/slash', {
        user: this.ctx.userId(),
        ...this.ctx.place(),
        locale: this.ctx.locale(),
        name: entry.path,
        options,
      });
      this.reset();
    } catch (error) {
      this.ctx.notify((error as Error).message);
    }
  }

  reset(): void {
    this.selected = undefined;
    this.values.clear();
    this.input.readOnly = false;
    this.input.value = '';
    this.fields.replaceChildren();
    this.fields.classList.add('hidden');
    this.popup.classList.add('hidden');
    this.input.focus();
  }
}
