/**
 * The sandbox page: a server's channels, the messages the bot posts (live from the Discord
 * emulator's event stream), the composer, who you are and in which language, and the RunComfy
 * panel. State lives here; rendering is in render-message.ts, the composer in composer.ts.
 */

import { z } from 'zod';
import { ControlError, getJson, postJson } from './api.js';
import { Composer } from './composer.js';
import { el } from './dom.js';
import { formatTimestamp, type MarkdownContext } from './markdown.js';
import { showModal } from './modal.js';
import { type RenderActions, renderMessage, type SelectContext } from './render-message.js';
import { RunComfyPanel } from './runcomfy-panel.js';
import {
  type Channel,
  type Command,
  type Guild,
  interactionEventSchema,
  LOCALES,
  type Locale,
  type MessageView,
  messageEventSchema,
  messageViewSchema,
  type World,
  worldSchema,
} from './types.js';

const ChannelType = {
  Text: 0,
  Dm: 1,
  Announcement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  Forum: 15,
  Media: 16,
};
const THREADS = new Set([ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread]);
/** Discord's "did not respond" banner shows after the 3 s deadline. */
const RESPONSE_DEADLINE_MS = 3_500;
const DM_VIEW = 'dm';

const state = {
  world: undefined as World | undefined,
  member: '',
  locale: 'en-US' as Locale,
  /** A channel id, or DM_VIEW for the member's DM with the bot. */
  view: '',
  messages: new Map<string, MessageView>(),
  loaded: new Set<string>(),
  dismissed: new Set<string>(),
};

// ---- layout -----------------------------------------------------------------------------------

const app = document.getElementById('app')!;
const serverName = el('div', 'server-name');
const channelList = el('nav', 'channel-list');
const channelHeader = el('header', 'channel-header');
const messageList = el('section', 'message-list');
messageList.dataset['testid'] = 'message-list';
const toast = el('div', 'toast hidden');
const memberSwitcher = el('select', 'switcher');
memberSwitcher.dataset['testid'] = 'member-switcher';
const localeSwitcher = el('select', 'switcher');
localeSwitcher.dataset['testid'] = 'locale-switcher';
for (const locale of LOCALES) {
  const labels: Record<Locale, string> = { 'en-US': 'English (US)', 'zh-TW': '繁體中文', 'zh-CN': '简体中文' };
  const option = el('option', undefined, labels[locale]);
  option.value = locale;
  localeSwitcher.append(option);
}

function notify(text: string): void {
  toast.textContent = text;
  toast.classList.remove('hidden');
  window.clearTimeout(Number(toast.dataset['timer']));
  toast.dataset['timer'] = String(window.setTimeout(() => toast.classList.add('hidden'), 5_000));
}

// ---- world helpers ----------------------------------------------------------------------------

const guild = (): Guild | undefined => state.world?.guilds[0];
const channel = (id: string): Channel | undefined => guild()?.channels.find((c) => c.id === id);
const dmChannelId = (): string | undefined => state.world?.dms.find((d) => d.recipientId === state.member)?.id;

function displayName(userId: string): string {
  const world = state.world;
  if (!world) return userId;
  if (userId === world.botUser.id) return world.botUser.username;
  const member = guild()?.members.find((m) => m.userId === userId);
  return member?.nick ?? member?.globalName ?? member?.username ?? userId;
}

const markdownContext = (): MarkdownContext & SelectContext => ({
  locale: state.locale,
  userName: (id) => displayName(id),
  channelName: (id) => channel(id)?.name,
  roleName: (id) => guild()?.roles.find((r) => r.id === id)?.name,
  users: () => (guild()?.members ?? []).map((m) => ({ value: m.userId, label: displayName(m.userId) })),
  roles: () => (guild()?.roles ?? []).map((r) => ({ value: r.id, label: r.name })),
  channels: () =>
    (guild()?.channels ?? []).filter((c) => !THREADS.has(c.type)).map((c) => ({ value: c.id, label: `#${c.name}` })),
});

function commandsHere(): Command[] {
  const world = state.world;
  if (!world) return [];
  if (state.view === DM_VIEW) {
    return world.commands.global.filter(
      (c) => c.dm_permission !== false && (c.contexts == null || c.contexts.includes(1)),
    );
  }
  const g = guild();
  return [...world.commands.global, ...(g ? (world.commands.guilds[g.id] ?? []) : [])];
}

// ---- actions ----------------------------------------------------------------------------------

/** Warns, as Discord does, when the bot never answered an interaction. */
function watchResponse(interactionId: string): void {
  window.setTimeout(async () => {
    try {
      const view = await getJson(`/discord/interactions/${interactionId}`, z.object({ response: z.unknown() }));
      if (view.response === null) notify('This interaction failed (the bot did not respond within 3 s)');
    } catch {
      // the page may be closing
    }
  }, RESPONSE_DEADLINE_MS);
}

async function act(path: string, body: Record<string, unknown>): Promise<void> {
  try {
    const answer = await postJson<{ id: string }>(path, { user: state.member, locale: state.locale, ...body });
    watchResponse(answer.id);
  } catch (error) {
    notify(error instanceof ControlError ? error.message : String(error));
  }
}

const actions: RenderActions = {
  click: (message, customId) => void act('/discord/click', { message: message.id, customId }),
  select: (message, customId, values) => void act('/discord/select', { message: message.id, customId, values }),
  dismiss: (message) => {
    state.dismissed.add(message.id);
    document.querySelector(`[data-id="${message.id}"]`)?.remove();
  },
};

// ---- rendering --------------------------------------------------------------------------------

function visible(message: MessageView): boolean {
  if (message.deleted || state.dismissed.has(message.id)) return false;
  return !message.ephemeral || message.recipientId === state.member;
}

/** The channels whose messages the current view shows (a forum shows its posts). */
function viewChannels(): string[] {
  if (state.view === DM_VIEW) return [dmChannelId()].filter((id): id is string => id !== undefined);
  const current = channel(state.view);
  if (current && (current.type === ChannelType.Forum || current.type === ChannelType.Media)) {
    return (guild()?.channels ?? []).filter((c) => c.parentId === current.id).map((c) => c.id);
  }
  return [state.view];
}

function messageNode(message: MessageView): HTMLElement {
  const author = message.data.author;
  return renderMessage(
    message,
    { name: displayName(author.id) || author.username, bot: author.bot === true },
    actions,
    markdownContext(),
  );
}

function nearBottom(): boolean {
  return messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 80;
}

/** In a forum, a post's messages go under its title; elsewhere, in the list. */
function containerFor(channelId: string): HTMLElement {
  return messageList.querySelector<HTMLElement>(`[data-post="${channelId}"] .post-messages`) ?? messageList;
}

function renderView(): void {
  messageList.replaceChildren();
  const current = channel(state.view);
  const isForum = current && (current.type === ChannelType.Forum || current.type === ChannelType.Media);
  if (state.view === DM_VIEW) {
    channelHeader.textContent = `@${state.world?.botUser.username ?? 'bot'} — direct messages with ${displayName(state.member)}`;
  } else {
    channelHeader.textContent = `${isForum ? (current.type === ChannelType.Media ? '🖼' : '💬') : '#'} ${current?.name ?? ''}`;
    if (current?.topic) channelHeader.append(el('span', 'topic', current.topic));
  }
  const ids = viewChannels();
  if (isForum) {
    if (ids.length === 0) messageList.append(el('div', 'empty', 'No posts yet. /gallery setup can name this channel.'));
    for (const id of ids) {
      const post = el('div', 'forum-post');
      post.dataset['post'] = id;
      const title = el('h3', 'post-title', channel(id)?.name ?? id);
      for (const tag of channel(id)?.tags ?? []) title.append(el('span', 'tag', tag));
      post.append(title, el('div', 'post-messages'));
      messageList.append(post);
    }
  }
  const shown = [...state.messages.values()]
    .filter((m) => ids.includes(m.channelId) && visible(m))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  for (const message of shown) containerFor(message.channelId).append(messageNode(message));
  if (!isForum && shown.length === 0)
    messageList.append(el('div', 'empty', 'No messages yet. Type / to use a command.'));
  messageList.scrollTop = messageList.scrollHeight;
  for (const id of ids) void loadChannel(id);
}

/** A create, edit or delete: changes that message in place, if this view shows it. */
function applyMessage(message: MessageView): void {
  if (!viewChannels().includes(message.channelId)) return;
  const stick = nearBottom();
  const existing = messageList.querySelector(`[data-id="${message.id}"]`);
  if (!visible(message)) {
    existing?.remove();
    return;
  }
  const node = messageNode(message);
  if (existing) existing.replaceWith(node);
  else {
    messageList.querySelector('.empty')?.remove();
    const box = containerFor(message.channelId);
    const later = [...box.querySelectorAll<HTMLElement>(':scope > [data-id]')].find(
      (n) => BigInt(n.dataset['id'] ?? '0') > BigInt(message.id),
    );
    box.insertBefore(node, later ?? null);
  }
  if (stick) messageList.scrollTop = messageList.scrollHeight;
}

/** History from before the page was open (once per channel). */
async function loadChannel(channelId: string): Promise<void> {
  if (state.loaded.has(channelId)) return;
  state.loaded.add(channelId);
  try {
    const history = await getJson(`/discord/messages?channel=${channelId}`, messageViewSchema.array());
    let changed = false;
    for (const message of history) {
      const known = state.messages.get(message.id);
      if (!known || known.editCount < message.editCount || known.loading !== message.loading) {
        state.messages.set(message.id, message);
        changed = true;
      }
    }
    if (changed) renderView();
  } catch {
    state.loaded.delete(channelId);
  }
}

function renderChannels(): void {
  const g = guild();
  serverName.textContent = g?.name ?? '';
  channelList.replaceChildren();
  const item = (label: string, view: string, className: string) => {
    const button = el('button', view === state.view ? `channel active ${className}` : `channel ${className}`, label);
    button.type = 'button';
    button.dataset['channel'] = view;
    button.addEventListener('click', () => {
      state.view = view;
      renderChannels();
      renderView();
      composer.refresh();
    });
    return button;
  };
  channelList.append(el('div', 'channel-group', 'Channels'));
  for (const c of g?.channels ?? []) {
    if (THREADS.has(c.type)) {
      const parent = channel(c.parentId ?? '');
      if (parent && parent.type === ChannelType.Text) channelList.append(item(`↳ ${c.name}`, c.id, 'thread'));
      continue;
    }
    const icon = c.type === ChannelType.Forum ? '💬' : c.type === ChannelType.Media ? '🖼' : '#';
    channelList.append(item(`${icon} ${c.name}`, c.id, ''));
  }
  channelList.append(el('div', 'channel-group', 'Direct messages'));
  channelList.append(item(`@ ${state.world?.botUser.username ?? 'bot'}`, DM_VIEW, 'dm'));
}

/** The people in the server, not the bot: plain members first, then those with roles, the owner last. */
function people(): Guild['members'] {
  const g = guild();
  const rank = (m: Guild['members'][number]) => (m.userId === g?.ownerId ? 2 : m.roles.length > 0 ? 1 : 0);
  return (g?.members ?? []).filter((m) => m.userId !== state.world?.botUser.id).sort((a, b) => rank(a) - rank(b));
}

function renderMembers(): void {
  const g = guild();
  memberSwitcher.replaceChildren();
  for (const member of people()) {
    const roles = member.roles
      .map((id) => g?.roles.find((r) => r.id === id)?.name)
      .filter((name) => name && name !== '@everyone');
    const suffix = member.userId === g?.ownerId ? ' — owner' : roles.length > 0 ? ` — ${roles.join(', ')}` : '';
    const option = el('option', undefined, `${displayName(member.userId)}${suffix}`);
    option.value = member.userId;
    option.dataset['username'] = member.username;
    option.selected = member.userId === state.member;
    memberSwitcher.append(option);
  }
}

async function loadWorld(): Promise<void> {
  state.world = await getJson('/discord/world', worldSchema);
  const g = guild();
  if (!state.member) state.member = people()[0]?.userId ?? '';
  if (!state.view) state.view = g?.channels.find((c) => c.type === ChannelType.Text)?.id ?? DM_VIEW;
  renderMembers();
  renderChannels();
}

let worldReload: number | undefined;
function reloadWorldSoon(): void {
  window.clearTimeout(worldReload);
  worldReload = window.setTimeout(() => void loadWorld().then(renderView), 100);
}

// ---- the event stream -------------------------------------------------------------------------

function listen(): void {
  const stream = new EventSource('/discord/events');
  stream.addEventListener('open', () => {
    // After a reconnection, what happened meanwhile is only in the history: read it again.
    if (document.body.classList.contains('offline')) {
      state.loaded.clear();
      reloadWorldSoon();
    }
    document.body.classList.remove('offline');
  });
  stream.addEventListener('error', () => document.body.classList.add('offline'));
  stream.addEventListener('message', (event) => {
    const parsed = messageEventSchema.safeParse(JSON.parse((event as MessageEvent<string>).data));
    if (!parsed.success) return;
    const message = parsed.data.message;
    state.messages.set(message.id, message);
    const known = message.channelId === dmChannelId() || channel(message.channelId) !== undefined;
    if (!known) reloadWorldSoon();
    else applyMessage(message);
  });
  stream.addEventListener('interaction', (event) => {
    const parsed = interactionEventSchema.safeParse(JSON.parse((event as MessageEvent<string>).data));
    if (!parsed.success) return;
    const interaction = parsed.data;
    if (interaction.response?.type === 9 && interaction.userId === state.member && interaction.response.data) {
      showModal(interaction.response.data, (values) => act('/discord/modal', { interaction: interaction.id, values }));
    }
  });
  stream.addEventListener('world', () => reloadWorldSoon());
}

/** Keeps every `<t:…:R>` on the page current. */
function refreshTimestamps(): void {
  for (const node of document.querySelectorAll<HTMLElement>('time.ts[data-style="R"]')) {
    node.textContent = formatTimestamp(Number(node.dataset['ts']), 'R', state.locale);
  }
}

// ---- start ------------------------------------------------------------------------------------

const composer = new Composer({
  commands: commandsHere,
  locale: () => state.locale,
  userId: () => state.member,
  place: () => (state.view === DM_VIEW ? {} : { guild: guild()?.id ?? '', channel: state.view }),
  members: () => markdownContext().users(),
  roles: () => markdownContext().roles(),
  channels: () => markdownContext().channels(),
  notify,
});

memberSwitcher.addEventListener('change', () => {
  state.member = memberSwitcher.value;
  renderView();
  composer.refresh();
});
localeSwitcher.addEventListener('change', () => {
  state.locale = localeSwitcher.value as Locale;
  document.documentElement.lang = state.locale;
  renderView();
  composer.refresh();
});

const panel = new RunComfyPanel(notify);
const sidebar = el('div', 'sidebar');
const you = el('div', 'you');
you.append(
  el('label', undefined, 'You are'),
  memberSwitcher,
  el('label', undefined, 'Discord language'),
  localeSwitcher,
);
sidebar.append(serverName, channelList, you);
const main = el('main', 'chat');
main.append(channelHeader, messageList, composer.root);
app.append(sidebar, main, panel.root, toast);

await loadWorld();
renderView();
listen();
window.setInterval(refreshTimestamps, 1_000);
document.body.dataset['ready'] = 'true';
