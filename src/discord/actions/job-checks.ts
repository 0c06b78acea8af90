/** Who may act on a job from a button or command: the checks the job actions share. */
import { type ButtonInteraction, type ChatInputCommandInteraction, PermissionFlagsBits } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { JobNotFoundError } from '../../store/job-repository.js';
import type { BotContext } from '../context.js';

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
