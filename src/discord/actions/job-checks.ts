/** Who may act on a job from a button or command: the checks the job actions share. */
import { type ButtonInteraction, type ChatInputCommandInteraction, PermissionFlagsBits } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import type { PlainMessageKey } from '../../i18n/index.js';
import { JobNotFoundError } from '../../store/job-repository.js';
import type { BotContext } from '../context.js';
import type { Verdict } from './action.js';

export async function requireJob(context: BotContext, jobId: string): Promise<JobRecord> {
  const job = await context.engine.get(jobId);
  if (!job) throw new JobNotFoundError(jobId);
  return job;
}

/**
 * The requester (from anywhere: /jobs lists their own jobs in any channel, and the answer is
 * private), or a member allowed to manage messages, clicking in the channel the job was made in.
 */
export function mayManage(interaction: ButtonInteraction | ChatInputCommandInteraction, job: JobRecord): boolean {
  if (interaction.user.id === job.owner.userId) return true;
  return (
    job.owner.guildId !== null &&
    interaction.guildId === job.owner.guildId &&
    interaction.channelId === job.owner.channelId &&
    interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) === true
  );
}

/**
 * Whether the job was visible where the click came from: its own channel, and for a DM job
 * only its owner's DM. A forged custom_id names any job id; this is what keeps it honest.
 */
export function visibleHere(
  interaction: { channelId: string | null; guildId: string | null; user: { id: string } },
  job: JobRecord,
): boolean {
  if (interaction.channelId !== job.owner.channelId) return false;
  if (job.owner.guildId === null) return interaction.guildId === null && interaction.user.id === job.owner.userId;
  return interaction.guildId === job.owner.guildId;
}

/**
 * A set someone acts on from its result (Reroll, Remix, Info, Vary): it was seen where the
 * click comes from and its owner has not deleted it (`deletedKey` says so in the action's words).
 */
export async function visibleSet(
  interaction: { channelId: string | null; guildId: string | null; user: { id: string } },
  context: BotContext,
  jobId: string,
  deletedKey: PlainMessageKey,
): Promise<Verdict<JobRecord>> {
  const job = await requireJob(context, jobId);
  const about = { jobId: job.id };
  if (!visibleHere(interaction, job)) return { refused: 'replies.not_visible_here', about };
  if (job.surface['deleted'] === true) return { refused: deletedKey, about };
  return { allowed: job };
}
