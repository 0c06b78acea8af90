/** Discord's numbers, in one place (see shared/discord-platform.md). */
export const Limits = {
  firstResponseMs: 3_000,
  interactionTokenMs: 15 * 60 * 1_000,
  contentChars: 2_000,
  embedsPerMessage: 10,
  embedTotalChars: 6_000,
  embedTitle: 256,
  embedDescription: 4_096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1_024,
  embedFooterText: 2_048,
  embedAuthorName: 256,
  attachmentsPerMessage: 10,
  defaultUploadBytes: 10 * 1024 * 1024,
  requestBytes: 25 * 1024 * 1024,
  customId: 100,
  buttonLabel: 80,
  componentsPerRow: 5,
  actionRows: 5,
  componentsV2Total: 40,
  mediaGalleryItems: 10,
  textDisplayTotalChars: 4_000,
  selectOptions: 25,
  selectPlaceholder: 150,
  autocompleteChoices: 25,
  modalTitle: 45,
  modalComponents: 5,
  textInputLength: 4_000,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commandChoices: 25,
  choiceName: 100,
  choiceStringValue: 100,
  stringOptionMaxLength: 6_000,
  commandTotalChars: 8_000,
  commandsPerScope: 100,
  threadName: 100,
} as const;

export const MessageFlags = {
  Crossposted: 1 << 0,
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsVoiceMessage: 1 << 13,
  IsComponentsV2: 1 << 15,
} as const;

export const ChannelTypes = {
  GuildText: 0,
  DM: 1,
  GuildVoice: 2,
  GroupDM: 3,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildStageVoice: 13,
  GuildForum: 15,
  GuildMedia: 16,
} as const;

export const THREAD_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);
export const POSTABLE_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 5, 10, 11, 12, 13]);
export const FORUM_LIKE_TYPES: ReadonlySet<number> = new Set([15, 16]);

export const InteractionTypes = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5,
} as const;

export const CallbackTypes = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
  LaunchActivity: 12,
} as const;

/** Locales Discord accepts in `*_localizations` and sends as `locale`. */
export const DISCORD_LOCALES: ReadonlySet<string> = new Set([
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
]);

/** Length as Discord counts it: code points, so one emoji is one character. */
export function charLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}
