/** Links to Discord messages, as members open them (a card's "see the result", a gallery's "open the set"). */
import type { JobRecord } from '../engine/job.js';

/** The link to one of `job`'s messages, in its server or (for a DM job) its DM. */
export function messageLink(job: Pick<JobRecord, 'owner'>, messageId: string): string {
  return `https://discord.com/channels/${job.owner.guildId ?? '@me'}/${job.owner.channelId}/${messageId}`;
}
