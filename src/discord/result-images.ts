/**
 * Fresh URLs of a delivered set's images. Discord's CDN URLs are signed and expire (about a
 * day): a URL kept on a record goes stale, so the image is found again in the result message
 * that holds it (the delivery steps `part:<n>` record each message's id) and its attachment's
 * URL is taken as Discord hands it out now.
 */
import type { JobRecord } from '../engine/job.js';
import type { DiscordApi } from './discord-api.js';

/** The file name delivery gives image `index` (0-based) of a set (see pack-images.ts). */
function isImageFile(filename: string, job: Pick<JobRecord, 'id'>, index: number): boolean {
  return filename.startsWith(`seedream-${job.id}-${index + 1}.`);
}

/** The ids of the set's result messages, in posting order. */
function resultMessageIds(job: JobRecord): string[] {
  return Object.entries(job.delivery)
    .flatMap(([key, step]) => {
      const part = /^part:(\d+)$/.exec(key)?.[1];
      return part !== undefined && step.state === 'done' && step.result
        ? [{ part: Number(part), id: step.result }]
        : [];
    })
    .sort((a, b) => a.part - b.part)
    .map((entry) => entry.id);
}

/**
 * The current URL of image `index` (0-based), read from its result message now; undefined when
 * no result message carries it any more (deleted, or the image went as a link, not a file).
 */
export async function freshImageUrl(api: DiscordApi, job: JobRecord, index: number): Promise<string | undefined> {
  for (const messageId of resultMessageIds(job)) {
    const message = await api.getMessage(job.owner.channelId, messageId).catch(() => undefined);
    const attachment = message?.attachments?.find((candidate) => isImageFile(candidate.filename, job, index));
    if (attachment) return attachment.url;
  }
  return undefined;
}

/**
 * The references of `job` with URLs usable now. A variation's one reference is its parent's
 * image, read again from the parent's result message; references a member attached are kept as
 * stored (their URLs are Discord's and last about a day: see the README on references).
 */
export async function freshReferences(
  context: { api: DiscordApi; engine: { get(jobId: string): Promise<JobRecord | undefined> } },
  job: JobRecord,
  stored: readonly string[],
): Promise<string[]> {
  if (!job.parent || stored.length !== 1) return [...stored];
  const parent = await context.engine.get(job.parent.jobId);
  const url = parent ? await freshImageUrl(context.api, parent, job.parent.image) : undefined;
  return [url ?? stored[0]!];
}
