/**
 * /gallery and /history: the commands, the gallery channel, its posts and the browser.
 */
export const gallery = {
  // Command and option names: English here, localised like the other commands.
  command: { name: 'gallery', description: 'The server’s gallery of generated sets' },
  setup: {
    name: 'setup',
    description: 'Choose the gallery channel where every set is also posted (Manage Server)',
    options: { channel: { name: 'channel', description: 'A text, forum or media channel' } },
  },
  off: { name: 'off', description: 'Stop posting sets to the gallery (Manage Server)' },
  browse: {
    name: 'browse',
    description: 'Browse the server’s past sets, newest first',
    options: {
      user: { name: 'user', description: 'Only sets by this member' },
      search: { name: 'search', description: 'Words in the prompt (English or Chinese)' },
    },
  },
  history: {
    name: 'history',
    description: 'Browse your own sets, across servers',
    options: { search: { name: 'search', description: 'Words in the prompt (English or Chinese)' } },
  },
  replies: {
    guild_only: 'Galleries belong to servers: use this command in a server.',
    need_manage_server: 'Only members with the Manage Server permission can change the gallery.',
    wrong_type: '{channel} cannot hold a gallery. Choose a text, forum or media channel.',
    missing:
      'I cannot use {channel} as the gallery yet. I am missing these permissions there: {permissions}. Grant them (channel settings → Permissions) and run /gallery setup again.',
    ready_text: 'Done: every new set will also be posted to {channel}, one message per set with a thread.',
    ready_forum: 'Done: every new set will also be posted to {channel}, one post per set, tagged by aspect ratio.',
    ready_media: 'Done: every new set will also be posted to {channel}, one post per set, tagged by aspect ratio.',
    off: 'The gallery is off: new sets are no longer posted to {channel}. Posts already there stay.',
    already_off: 'There is no gallery to turn off.',
    post_removed: 'Its gallery post was removed too.',
  },
  list_separator: ', ',
  // The names Discord's own channel settings use.
  permission: {
    ViewChannel: 'View Channel',
    SendMessages: 'Send Messages',
    SendMessagesInThreads: 'Send Messages in Threads',
    EmbedLinks: 'Embed Links',
    AttachFiles: 'Attach Files',
    ReadMessageHistory: 'Read Message History',
    ManageThreads: 'Manage Threads',
    CreatePublicThreads: 'Create Public Threads',
    ManageChannels: 'Manage Channels',
  },
  notice: {
    title: 'The gallery is paused',
    next: 'Results are still posted where they were asked for. A member with Manage Server can fix this and run /gallery setup again. This notice is sent once, not for every set.',
  },
  post: {
    original: 'Original result',
    jump: 'Open the original result',
    references: 'References',
    references_value: '{count} reference image(s)',
    variation_of: 'Variation of',
    variation_value: 'image {number} of set {reference}',
  },
  sheet_title: 'Overview of {total}',
  browser: {
    page: 'Page {page} of {total}',
    not_yours: 'This browser belongs to whoever opened it. Run /gallery browse or /history to open your own.',
    no_matches: 'No sets match that search.',
    empty_guild: 'This server has no sets in its gallery yet.',
    empty_history: 'You have no sets yet. Make one with /imagine.',
    removed: 'This set has been deleted.',
    open_post: 'Open the post',
    open_result: 'Open the result',
    made: 'Made',
    where: 'Where',
    in_dm: 'In a DM',
  },
} as const;
