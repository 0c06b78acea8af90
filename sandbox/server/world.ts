/**
 * The sandbox's Discord world: one server with a text channel, a forum and a media channel,
 * and four members who differ in what the bot lets them do.
 */
import type { GuildSpec, UserSpec } from '../../src/emulators/discord/index.js';

/** Fixed ids so a reload of the page (or a bookmarked channel) keeps pointing at the same things. */
export const SANDBOX_IDS = {
  guild: '1380000000000000100',
  general: '1380000000000000101',
  gallery: '1380000000000000102',
  media: '1380000000000000103',
  alice: '1380000000000000201',
  bob: '1380000000000000202',
  mod: '1380000000000000203',
  owner: '1380000000000000204',
} as const;

export const SANDBOX_USERS: UserSpec[] = [
  { id: SANDBOX_IDS.alice, username: 'alice', globalName: 'Alice', locale: 'en-US' },
  { id: SANDBOX_IDS.bob, username: 'bob', globalName: 'Bob', locale: 'en-US' },
  { id: SANDBOX_IDS.mod, username: 'mod', globalName: 'Mo (moderator)', locale: 'en-US' },
  { id: SANDBOX_IDS.owner, username: 'owner', globalName: 'Olive (owner)', locale: 'en-US' },
];

export const SANDBOX_GUILD: GuildSpec = {
  id: SANDBOX_IDS.guild,
  name: 'Seedream Sandbox',
  ownerId: SANDBOX_IDS.owner,
  // What the README asks a real server to grant, plus what a gallery forum needs (tags, posts).
  botPermissions: [
    'ViewChannel',
    'SendMessages',
    'SendMessagesInThreads',
    'CreatePublicThreads',
    'EmbedLinks',
    'AttachFiles',
    'ReadMessageHistory',
    'UseApplicationCommands',
    'ManageThreads',
    'ManageChannels',
  ],
  roles: [{ name: 'Moderators', permissions: ['ManageMessages'], color: 0x3498db }],
  channels: [
    { id: SANDBOX_IDS.general, name: 'general', topic: 'Try /imagine here' },
    // The bot adds the aspect tags it needs when /gallery setup names the forum.
    { id: SANDBOX_IDS.gallery, name: 'gallery', type: 'forum' },
    { id: SANDBOX_IDS.media, name: 'media', type: 'media' },
  ],
  members: [
    { user: SANDBOX_IDS.alice },
    { user: SANDBOX_IDS.bob },
    { user: SANDBOX_IDS.mod, roles: ['Moderators'] },
    { user: SANDBOX_IDS.owner },
  ],
};
