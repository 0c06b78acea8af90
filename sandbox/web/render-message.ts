/**
 * One message as Discord's client draws it: author line, content, embeds, attachments,
 * classic components (buttons, select menus) and Components V2 (text, sections, media
 * galleries, containers, separators). Ephemeral messages get "Only you can see this".
 * Everything from the wire goes through textContent or the escaping markdown renderer.
 */
import { el } from './dom.js';
import { type MarkdownContext, renderMarkdown } from './markdown.js';
import type { MessageView } from './types.js';

type Json = Record<string, unknown>;

export interface RenderActions {
  click(message: MessageView, customId: string): void;
  select(message: MessageView, customId: string, values: string[]): void;
  dismiss(message: MessageView): void;
}

const COMPONENTS_V2 = 1 << 15;
const BUTTON_STYLES: Record<number, string> = {
  1: 'primary',
  2: 'secondary',
  3: 'success',
  4: 'danger',
  5: 'link',
  6: 'premium',
};

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const arr = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((v): v is Json => obj(v) !== undefined) : [];

function markdown(text: string, ctx: MarkdownContext, className = 'markdown'): HTMLElement {
  const node = el('div', className);
  node.innerHTML = renderMarkdown(text, ctx);
  return node;
}

/** Only http(s) URLs reach src/href: no javascript: or data: from the wire. */
function safeUrl(value: unknown): string | undefined {
  const url = str(value);
  return url && /^https?:\/\//.test(url) ? url : undefined;
}

type Attachments = MessageView['data']['attachments'];

/**
 * A V2 media/file URL: `attachment://<file>` names one of the message's attachments (Discord
 * answers with it resolved, but a message as sent still carries the reference).
 */
function mediaUrl(value: unknown, attachments: Attachments): string | undefined {
  const url = str(value);
  if (url?.startsWith('attachment://')) {
    const name = url.slice('attachment://'.length);
    return safeUrl(attachments.find((a) => a.filename === name)?.url);
  }
  return safeUrl(url);
}

function image(url: string, alt: string, className: string): HTMLImageElement {
  const img = el('img', className);
  img.src = url;
  img.alt = alt;
  img.loading = 'lazy';
  return img;
}

function colour(value: unknown): string | undefined {
  return typeof value === 'number' ? `#${value.toString(16).padStart(6, '0')}` : undefined;
}

function renderEmbed(embed: Json, ctx: MarkdownContext): HTMLElement {
  const box = el('div', 'embed');
  box.dataset['testid'] = 'embed';
  const accent = colour(embed['color']);
  if (accent) box.style.borderLeftColor = accent;
  const body = el('div', 'embed-body');
  const author = obj(embed['author']);
  if (author && str(author['name'])) body.append(el('div', 'embed-author', str(author['name'])));
  const title = str(embed['title']);
  if (title) {
    const url = safeUrl(embed['url']);
    const node = el(url ? 'a' : 'div', 'embed-title', title);
    if (url && node instanceof HTMLAnchorElement) {
      node.href = url;
      node.target = '_blank';
    }
    body.append(node);
  }
  const description = str(embed['description']);
  if (description) body.append(markdown(description, ctx, 'embed-description markdown'));
  const fields = arr(embed['fields']);
  if (fields.length > 0) {
    const grid = el('div', 'embed-fields');
    for (const field of fields) {
      const cell = el('div', field['inline'] === true ? 'embed-field inline' : 'embed-field');
      cell.append(markdown(str(field['name']) ?? '', ctx, 'embed-field-name markdown'));
      cell.append(markdown(str(field['value']) ?? '', ctx, 'embed-field-value markdown'));
      grid.append(cell);
    }
    body.append(grid);
  }
  const picture = safeUrl(obj(embed['image'])?.['url']);
  if (picture) body.append(image(picture, title ?? 'image', 'embed-image'));
  const footer = obj(embed['footer']);
  const footerText = str(footer?.['text']);
  const timestamp = str(embed['timestamp']);
  if (footerText || timestamp) {
    const parts = [footerText, timestamp ? new Date(timestamp).toLocaleString(ctx.locale) : undefined].filter(Boolean);
    body.append(el('div', 'embed-footer', parts.join(' • ')));
  }
  box.append(body);
  const thumbnail = safeUrl(obj(embed['thumbnail'])?.['url']);
  if (thumbnail) box.append(image(thumbnail, 'thumbnail', 'embed-thumbnail'));
  return box;
}

function renderButton(component: Json, message: MessageView, actions: RenderActions): HTMLElement {
  const style = typeof component['style'] === 'number' ? component['style'] : 2;
  const label = `${str(obj(component['emoji'])?.['name']) ?? ''} ${str(component['label']) ?? ''}`.trim();
  const url = safeUrl(component['url']);
  if (style === 5 && url) {
    const link = el('a', 'button link', `${label} ↗`);
    link.href = url;
    link.target = '_blank';
    return link;
  }
  const button = el('button', `button ${BUTTON_STYLES[style] ?? 'secondary'}`, label);
  button.type = 'button';
  button.disabled = component['disabled'] === true;
  const customId = str(component['custom_id']);
  if (customId) {
    button.dataset['customId'] = customId;
    button.addEventListener('click', () => actions.click(message, customId));
  }
  return button;
}

function renderSelect(component: Json, message: MessageView, actions: RenderActions, ctx: SelectContext): HTMLElement {
  const select = el('select', 'select-menu');
  const customId = str(component['custom_id']) ?? '';
  select.dataset['customId'] = customId;
  select.disabled = component['disabled'] === true;
  const max = typeof component['max_values'] === 'number' ? component['max_values'] : 1;
  select.multiple = max > 1;
  const placeholder = el('option', undefined, str(component['placeholder']) ?? 'Make a selection');
  placeholder.value = '';
  placeholder.disabled = true;
  placeholder.selected = true;
  if (!select.multiple) select.append(placeholder);
  const type = component['type'];
  const options: Array<{ value: string; label: string; description?: string | undefined }> =
    type === 3
      ? arr(component['options']).map((o) => ({
          value: str(o['value']) ?? '',
          label: `${str(obj(o['emoji'])?.['name']) ?? ''} ${str(o['label']) ?? ''}`.trim(),
          description: str(o['description']),
        }))
      : type === 5
        ? ctx.users()
        : type === 6
          ? ctx.roles()
          : type === 8
            ? ctx.channels()
            : [...ctx.users(), ...ctx.roles()];
  for (const option of options) {
    const node = el('option', undefined, option.description ? `${option.label} — ${option.description}` : option.label);
    node.value = option.value;
    select.append(node);
  }
  const submit = () => {
    const values = [...select.selectedOptions].map((o) => o.value).filter((v) => v !== '');
    if (values.length > 0) actions.select(message, customId, values);
  };
  if (select.multiple) {
    const wrap = el('div', 'select-multi');
    const go = el('button', 'button secondary', 'Apply');
    go.type = 'button';
    go.addEventListener('click', submit);
    wrap.append(select, go);
    return wrap;
  }
  select.addEventListener('change', submit);
  return select;
}

export interface SelectContext {
  users(): Array<{ value: string; label: string }>;
  roles(): Array<{ value: string; label: string }>;
  channels(): Array<{ value: string; label: string }>;
}

function renderComponent(
  component: Json,
  message: MessageView,
  actions: RenderActions,
  ctx: MarkdownContext & SelectContext,
): HTMLElement | undefined {
  switch (component['type']) {
    case 1: {
      const row = el('div', 'action-row');
      for (const child of arr(component['components'])) {
        const node = renderComponent(child, message, actions, ctx);
        if (node) row.append(node);
      }
      return row;
    }
    case 2:
      return renderButton(component, message, actions);
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      return renderSelect(component, message, actions, ctx);
    case 9: {
      const section = el('div', 'section');
      const texts = el('div', 'section-texts');
      for (const child of arr(component['components'])) {
        const node = renderComponent(child, message, actions, ctx);
        if (node) texts.append(node);
      }
      section.append(texts);
      const accessory = obj(component['accessory']);
      const node = accessory ? renderComponent(accessory, message, actions, ctx) : undefined;
      if (node) section.append(node);
      return section;
    }
    case 10:
      return markdown(str(component['content']) ?? '', ctx, 'text-display markdown');
    case 11: {
      const url = mediaUrl(obj(component['media'])?.['url'], message.data.attachments);
      return url ? image(url, str(component['description']) ?? 'thumbnail', 'thumbnail') : undefined;
    }
    case 12: {
      const items = arr(component['items']);
      const gallery = el('div', `media-gallery n${Math.min(items.length, 5)}`);
      gallery.dataset['testid'] = 'media-gallery';
      for (const item of items) {
        const url = mediaUrl(obj(item['media'])?.['url'], message.data.attachments);
        if (url) gallery.append(image(url, str(item['description']) ?? 'image', 'media-gallery-item'));
      }
      return gallery;
    }
    case 13: {
      const url = mediaUrl(obj(component['file'])?.['url'], message.data.attachments);
      const link = el('a', 'file', `📄 ${url?.split('/').pop() ?? 'file'}`);
      if (url) link.href = url;
      return link;
    }
    case 14:
      return el('hr', component['divider'] === false ? 'separator invisible' : 'separator');
    case 17: {
      const box = el('div', 'container');
      const accent = colour(component['accent_color']);
      if (accent) box.style.borderLeftColor = accent;
      for (const child of arr(component['components'])) {
        const node = renderComponent(child, message, actions, ctx);
        if (node) box.append(node);
      }
      return box;
    }
    default:
      return undefined;
  }
}

export interface AuthorInfo {
  name: string;
  bot: boolean;
}

export function renderMessage(
  message: MessageView,
  author: AuthorInfo,
  actions: RenderActions,
  ctx: MarkdownContext & SelectContext,
): HTMLElement {
  const data = message.data;
  const root = el('article', message.ephemeral ? 'message ephemeral' : 'message');
  root.dataset['id'] = message.id;
  root.dataset['testid'] = 'message';
  const avatar = el('div', 'avatar', author.name.slice(0, 1).toUpperCase());
  const body = el('div', 'message-body');
  const header = el('div', 'message-header');
  header.append(el('span', 'author', author.name));
  if (author.bot) header.append(el('span', 'bot-tag', 'APP'));
  header.append(el('span', 'time', new Date(data.timestamp).toLocaleTimeString(ctx.locale)));
  if (data.edited_timestamp && !message.loading) header.append(el('span', 'edited', '(edited)'));
  body.append(header);
  if (message.loading) body.append(el('div', 'thinking', `${author.name} is thinking…`));
  const v2 = ((data.flags ?? 0) & COMPONENTS_V2) !== 0;
  if (data.content && !v2) body.append(markdown(data.content, ctx));
  for (const embed of data.embeds) body.append(renderEmbed(embed, ctx));
  const referenced = new Set(
    data.embeds.flatMap((e) => [str(obj(e['image'])?.['url']), str(obj(e['thumbnail'])?.['url'])]).filter(Boolean),
  );
  const images = data.attachments.filter((a) => !referenced.has(a.url));
  if (images.length > 0 && !v2) {
    const box = el('div', 'attachments');
    for (const attachment of images) {
      const url = safeUrl(attachment.url);
      if (!url) continue;
      if ((attachment.content_type ?? '').startsWith('image/'))
        box.append(image(url, attachment.filename, 'attachment'));
      else {
        const link = el('a', 'file', `📄 ${attachment.filename}`);
        link.href = url;
        box.append(link);
      }
    }
    body.append(box);
  }
  for (const component of data.components) {
    const node = renderComponent(component, message, actions, ctx);
    if (node) body.append(node);
  }
  if (message.ephemeral) {
    const note = el('div', 'ephemeral-note');
    note.dataset['testid'] = 'ephemeral-note';
    note.append(el('span', undefined, '👁 Only you can see this • '));
    const dismiss = el('button', 'link-button', 'Dismiss message');
    dismiss.type = 'button';
    dismiss.addEventListener('click', () => actions.dismiss(message));
    note.append(dismiss);
    body.append(note);
  }
  root.append(avatar, body);
  return root;
}
