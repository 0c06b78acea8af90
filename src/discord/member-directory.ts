/**
 * Who is in which server, for requests made in DMs: a DM is charged to a server the member
 * shares with the bot that allows DMs. Reads the client's guild cache and Discord's member
 * route (one call per server looked at); a sharded bot sees the servers of its own shards.
 */
import type { Client } from 'discord.js';
import { type DiscordApi, discordErrorCode } from './discord-api.js';

const UNKNOWN_MEMBER = 10007;
const UNKNOWN_GUILD = 10004;

export interface MemberLookup {
  /** Servers the bot is in (sorted, so a member's DM server is always the same one). */
  guildIds(): string[];
  guildName(guildId: string): string | undefined;
  /** The member's role ids, or undefined when they are not in that server. */
  memberRoles(guildId: string, userId: string): Promise<string[] | undefined>;
}

export class MemberDirectory implements MemberLookup {
  constructor(
    private readonly client: Client,
    private readonly api: DiscordApi,
  ) {}

  guildIds(): string[] {
    return [...this.client.guilds.cache.keys()].sort();
  }

  guildName(guildId: string): string | undefined {
    return this.client.guilds.cache.get(guildId)?.name;
  }

  async memberRoles(guildId: string, userId: string): Promise<string[] | undefined> {
    try {
      const member = await this.api.getMember(guildId, userId);
      return member.roles;
    } catch (error) {
      const code = discordErrorCode(error);
      if (code === UNKNOWN_MEMBER || code === UNKNOWN_GUILD) return undefined;
      throw error;
    }
  }
}
