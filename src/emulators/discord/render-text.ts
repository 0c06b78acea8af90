/**
 * What members would see, as plain text for the stand-alone emulator's terminal: who sees a
 * message (everyone in the channel, or only the member an ephemeral answer is for), its
 * content with mentions and timestamps as a client shows them, every embed (title, author,
 * description, fields, image/thumbnail with the file name and CDN URL, footer), components
 * (buttons with label and custom_id, selects, Components V2 text and media) and attachments.
 */
import type { InteractionRecord } from './interactions.js';
import type { EmulatorState, StoredMessage } from './state.js';
import type { ApiAttachment, ApiComponent, ApiEmbed, ApiEmbedMedia, JsonObject } from './types.js';

/** Names for ids, as a client shows them; undefined when unknown (the id is shown). */
export interface NameBook {
  user(id: string): string | undefined;
  /** As a client labels it: `#general`, `#gallery › post title`, `DM with alice`. */
  channel(id: string): string | undefined;
  role(id: string): string | undefined;
  /** For relative timestamps (`<t:…:R>`); default Date.now. */
  now?(): number;
}

export interface MessageView {
  message: StoredMessage;
  event: 'posted' | 'edited';
  /** The member whose command or click this message answers, by name. */
  invoker?: string;
  /** `/imagine`, `/gallery setup`, or the clicked custom_id. */
  interaction?: string;
}

const INDENT = '    ';

/** `<@id>`, `<@!id>`, `<#id>`, `<@&id>`, `<t:unix:style>` as a client renders them. */
export function renderInline(text: string, names: NameBook): string {
  return text
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${names.user(id) ?? id}`)
    .replace(/<#(\d+)>/g, (_, id: string) => names.channel(id) ?? `#${id}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${names.role(id) ?? id}`)
    .replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_, unix: string, style: string | undefined) =>
      timestampText(Number(unix), style, names.now?.() ?? Date.now()),
    );
}

/** Absolute UTC time; `R` (relative) styles also say how far from now. */
function timestampText(unix: number, style: string | undefined, now: number): string {
  const absolute = `${new Date(unix * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (style !== 'R') return absolute;
  const minutes = Math.round((unix * 1000 - now) / 60_000);
  const span =
    Math.abs(minutes) < 1
      ? 'now'
      : Math.abs(minutes) < 120
        ? `${Math.abs(minutes)} min`
        : `${Math.round(Math.abs(minutes) / 60)} h`;
  const relative = span === 'now' ? 'now' : minutes > 0 ? `in ${span}` : `${span} ago`;
  return `${relative} (${absolute})`;
}

/** Each line of `text` indented under a label, so multi-line values stay readable. */
function block(label: string, text: string, indent: string): string[] {
  const lines = text.split('\n');
  return [
    `${indent}${label}${lines[0]}`,
    ...lines.slice(1).map((line) => `${indent}${' '.repeat(label.length)}${line}`),
  ];
}

function mediaText(media: ApiEmbedMedia | JsonObject | undefined, attachments: ApiAttachment[]): string | undefined {
  const url = typeof media?.['url'] === 'string' ? media['url'] : undefined;
  if (!url) return undefined;
  const attachment = attachments.find((a) => a.url === url || a.proxy_url === url);
  return attachment ? `${attachment.filename} (${sizeText(attachment.size)}) → ${attachment.url}` : url;
}

function renderEmbed(embed: ApiEmbed, index: number, total: number, attachments: ApiAttachment[], names: NameBook) {
  const lines: string[] = [];
  const bar = `${INDENT}│ `;
  const title = embed.title
    ? renderInline(embed.title, names)
    : total > 1
      ? `(embed ${index + 1} of ${total})`
      : '(embed)';
  lines.push(`${INDENT}┌ ${title}${embed.url ? ` (${embed.url})` : ''}`);
  if (embed.author?.name) lines.push(`${bar}author: ${embed.author.name}`);
  if (embed.description) lines.push(...block('', renderInline(embed.description, names), bar));
  for (const field of embed.fields ?? []) {
    lines.push(...block(`${renderInline(field.name, names)}: `, renderInline(field.value, names), bar));
  }
  const image = mediaText(embed.image, attachments);
  if (image) lines.push(`${bar}image: ${image}`);
  const thumbnail = mediaText(embed.thumbnail, attachments);
  if (thumbnail) lines.push(`${bar}thumbnail: ${thumbnail}`);
  const footer = [embed.footer?.text, embed.timestamp ? `${embed.timestamp.slice(0, 16).replace('T', ' ')} UTC` : '']
    .filter(Boolean)
    .join(' · ');
  if (footer) lines.push(...block('footer: ', footer, bar));
  lines.push(`${INDENT}└`);
  return lines;
}

function buttonText(button: ApiComponent): string {
  const emoji = (button['emoji'] as { name?: string } | undefined)?.name;
  const label = [emoji, button.label].filter(Boolean).join(' ') || '(no label)';
  const target = button.style === 5 ? `→ ${button.url}` : button.style === 6 ? '(premium)' : `(${button.custom_id})`;
  return `[${label}] ${target}${button.disabled ? ' disabled' : ''}`;
}

const SELECT_KINDS: Record<number, string> = {
  3: 'select',
  5: 'user select',
  6: 'role select',
  7: 'mentionable select',
  8: 'channel select',
};

function renderComponents(components: ApiComponent[], attachments: ApiAttachment[], names: NameBook, indent: string) {
  const lines: string[] = [];
  for (const component of components) {
    switch (component.type) {
      case 1: {
        // An action row: buttons side by side, selects on their own line.
        const buttons = (component.components ?? []).filter((c) => c.type === 2).map(buttonText);
        if (buttons.length > 0) lines.push(`${indent}buttons: ${buttons.join('  ')}`);
        lines.push(
          ...renderComponents(
            (component.components ?? []).filter((c) => c.type !== 2),
            attachments,
            names,
            indent,
          ),
        );
        break;
      }
      case 2:
        lines.push(`${indent}button: ${buttonText(component)}`);
        break;
      case 3:
      case 5:
      case 6:
      case 7:
      case 8: {
        const placeholder = typeof component['placeholder'] === 'string' ? ` "${component['placeholder']}"` : '';
        const options = Array.isArray(component['options'])
          ? `: ${(component['options'] as Array<{ label: string; value: string; default?: boolean }>)
              .map((o) => `${o.default ? '*' : ''}${o.label} (${o.value})`)
              .join(' | ')}`
          : '';
        lines.push(
          `${indent}${SELECT_KINDS[component.type]} (${component.custom_id})${placeholder}${options}${component.disabled ? ' disabled' : ''}`,
        );
        break;
      }
      case 10:
        lines.push(...block('', renderInline(String(component['content'] ?? ''), names), indent));
        break;
      case 9: // section: text beside an accessory (button or thumbnail)
        lines.push(...renderComponents(component.components ?? [], attachments, names, indent));
        if (component['accessory'])
          lines.push(...renderComponents([component['accessory'] as ApiComponent], attachments, names, indent));
        break;
      case 11:
        lines.push(`${indent}thumbnail: ${mediaText(component['media'] as JsonObject, attachments) ?? '?'}`);
        break;
      case 12: {
        const items = (component['items'] as Array<{ media: JsonObject; description?: string | null }>) ?? [];
        lines.push(`${indent}gallery of ${items.length} image${items.length === 1 ? '' : 's'}:`);
        items.forEach((item, i) => {
          const description = item.description ? ` "${item.description}"` : '';
          lines.push(`${indent}  ${i + 1}. ${mediaText(item.media, attachments) ?? '?'}${description}`);
        });
        break;
      }
      case 13:
        lines.push(`${indent}file: ${mediaText(component['file'] as JsonObject, attachments) ?? '?'}`);
        break;
      case 14:
        lines.push(component['divider'] === false ? '' : `${indent}────`);
        break;
      case 17:
        lines.push(`${indent}┌ container`);
        lines.push(...renderComponents(component.components ?? [], attachments, names, `${indent}│ `));
        lines.push(`${indent}└`);
        break;
      default:
        lines.push(`${indent}component type ${component.type}`);
    }
  }
  return lines;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** The message as a member sees it, several lines, the first saying where, who sees it and what it answers. */
export function renderMessage(view: MessageView, names: NameBook): string {
  const { message, event } = view;
  const channel = names.channel(message.channelId) ?? `#${message.channelId}`;
  const audience = message.ephemeral
    ? `only ${view.invoker ?? 'the member who asked'} sees this`
    : `everyone in ${channel}`;
  const answers = view.invoker && view.interaction ? ` · answers ${view.invoker}'s ${view.interaction}` : '';
  const lines = [
    `${event === 'posted' ? '+' : '~'} ${event} in ${channel} · message ${message.id}${answers} · ${audience}`,
  ];
  if (message.loading) {
    lines.push(`${INDENT}${names.user(message.data.author.id) ?? 'the bot'} is thinking…`);
    return lines.join('\n');
  }
  const { data } = message;
  if (data.content) lines.push(...block('', renderInline(data.content, names), INDENT));
  data.embeds.forEach((embed, i) => {
    lines.push(...renderEmbed(embed, i, data.embeds.length, data.attachments, names));
  });
  lines.push(...renderComponents(data.components, data.attachments, names, INDENT));
  // Files shown inside an embed or component are not listed again, as in Discord's client.
  const shown = JSON.stringify([data.embeds, data.components]);
  for (const attachment of data.attachments) {
    if (shown.includes(JSON.stringify(attachment.url))) continue;
    lines.push(`${INDENT}file: ${attachment.filename} (${sizeText(attachment.size)}) → ${attachment.url}`);
  }
  if (lines.length === 1) lines.push(`${INDENT}(empty)`);
  return lines.join('\n');
}

/** What a non-message response shows: a modal's form, or the choices an autocomplete offered. */
export function renderInteractionResponse(record: InteractionRecord, names: NameBook): string | undefined {
  const response = record.response;
  if (!response) return undefined;
  const who = names.user(record.userId) ?? record.userId;
  const data = response.data ?? {};
  if (response.type === 9) {
    const lines = [`? ${who} sees a form: ${String(data['title'] ?? '')} (${String(data['custom_id'] ?? '')})`];
    const walk = (components: unknown, label?: unknown) => {
      for (const c of Array.isArray(components) ? (components as JsonObject[]) : []) {
        if (c['type'] === 4) {
          const lengths =
            c['min_length'] !== undefined || c['max_length'] !== undefined
              ? ` ${String(c['min_length'] ?? 0)}–${String(c['max_length'] ?? 4000)} chars`
              : '';
          const prefilled = typeof c['value'] === 'string' ? ` = "${c['value']}"` : '';
          lines.push(
            `${INDENT}${String(c['label'] ?? label ?? c['custom_id'])} [${String(c['custom_id'])}]${c['style'] === 2 ? ' paragraph' : ''}${c['required'] === false ? '' : ' required'}${lengths}${prefilled}`,
          );
        }
        walk(c['components']);
        if (c['component']) walk([c['component']], c['label']);
      }
    };
    walk(data['components']);
    lines.push(`${INDENT}(fill it in: submit <field>:<value> …)`);
    return lines.join('\n');
  }
  if (response.type === 8) {
    const choices = Array.isArray(data['choices']) ? (data['choices'] as Array<{ name: string; value: unknown }>) : [];
    return [
      `? ${who} is offered ${choices.length} choice(s) for ${record.name}:`,
      ...choices.map((c) => `${INDENT}${c.name} (${String(c.value)})`),
    ].join('\n');
  }
  return undefined;
}

/** Names from the emulator's own state. */
export function stateNames(state: EmulatorState): NameBook {
  return {
    now: () => state.now(),
    user: (id) => state.users.get(id)?.user.username,
    channel: (id) => {
      const channel = state.channels.get(id);
      if (!channel) return undefined;
      if (channel.recipientId)
        return `DM with ${state.users.get(channel.recipientId)?.user.username ?? channel.recipientId}`;
      const parent = channel.data.parent_id ? state.channels.get(channel.data.parent_id)?.data.name : undefined;
      return parent ? `#${parent} › ${channel.data.name}` : `#${channel.data.name}`;
    },
    role: (id) => {
      for (const guild of state.guilds.values()) {
        const role = guild.roles.get(id);
        if (role) return role.name;
      }
      return undefined;
    },
  };
}

/** A stored message with who it answers, from the emulator's state. */
export function viewOf(state: EmulatorState, message: StoredMessage, event: MessageView['event']): MessageView {
  const record = message.interactionId ? state.interactions.get(message.interactionId) : undefined;
  if (!record) return { message, event };
  const interaction = record.kind === 'command' ? `/${record.name}` : `click on ${record.name}`;
  return { message, event, invoker: state.users.get(record.userId)?.user.username ?? record.userId, interaction };
}
