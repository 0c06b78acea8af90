/**
 * The only places where the emulator accepts what the generated schema refuses: each is
 * something discord.js (or Discord itself) sends and real Discord accepts. Nothing else is
 * relaxed; a new entry needs a reason from Discord's own behaviour.
 */
export interface ContractException {
  /** Which field: a path pattern in the body, `*` matching any one key or index, `**` any run of keys. */
  path: readonly string[];
  /** True when this value is what Discord accepts although the schema refuses it. */
  accepts: (value: unknown) => boolean;
  reason: string;
}

const isIndex = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Discord's own timestamp form: `2026-01-01T00:00:00.000000+00:00`. */
const isDiscordTimestamp = (value: unknown): boolean =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/.test(value);

/** GUILD_MEDIA: a forum-like channel Discord documents (type 16) but the spec's channel type enum leaves out. */
const isMediaChannelType = (value: unknown): boolean => value === 16;

/** A permission bit set as Discord documents it: a string of digits within 53 bits. */
const isPermissionString = (value: unknown): boolean =>
  typeof value === 'string' && /^\d{1,16}$/.test(value) && Number(value) <= Number.MAX_SAFE_INTEGER;

export const CONTRACT_EXCEPTIONS: readonly ContractException[] = [
  {
    path: ['**', 'attachments', '*', 'id'],
    accepts: isIndex,
    reason:
      'A new upload is named by the n of its files[n] part; Discord takes that index as an integer as well as ' +
      'a string (snowflake fields accept integers), while the spec types every attachment id as a snowflake string.',
  },
  {
    path: ['**', '*timestamp'],
    accepts: isDiscordTimestamp,
    reason:
      "Discord's answers carry timestamps with a +00:00 offset and microseconds; the generated schema's " +
      'datetime check takes only the `Z` form. discord.js reads both.',
  },
  {
    path: ['**', '*_at'],
    accepts: isDiscordTimestamp,
    reason: 'The same timestamp form in fields named …_at (a member’s joined_at).',
  },
  {
    path: ['**', 'default_member_permissions'],
    accepts: isPermissionString,
    reason:
      'Discord documents default_member_permissions as a string (a bit set that may pass 2^31) and discord.js ' +
      'sends it so; the spec types it as a number.',
  },
  {
    path: ['**', 'channel_types', '*'],
    accepts: isMediaChannelType,
    reason:
      "Media channels (type 16) are documented channel types and a channel option may offer them; the spec's " +
      'channel type enum has no 16 at all.',
  },
  {
    path: ['type'],
    accepts: isMediaChannelType,
    reason: 'The same missing 16, where the emulator answers with a media channel (GET /channels/{id}).',
  },
  {
    path: ['*', 'type'],
    accepts: isMediaChannelType,
    reason: 'The same, in a list of channels (GET /guilds/{id}/channels).',
  },
];

/** `*` matches one key, `*suffix` a key ending in suffix, `**` any run of keys (also none). */
export function matchesPath(pattern: readonly string[], path: readonly PropertyKey[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return path.length === 0;
  if (head === '**') {
    for (let skip = 0; skip <= path.length; skip++) if (matchesPath(rest, path.slice(skip))) return true;
    return false;
  }
  if (path.length === 0) return false;
  const key = String(path[0]);
  const ok = head === '*' || head === key || (head.startsWith('*') && key.endsWith(head.slice(1)));
  return ok && matchesPath(rest, path.slice(1));
}
