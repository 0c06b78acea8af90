/**
 * Reroll (`sd1:reroll:<jobId>`), under a delivered set: the same settings with a new seed, as
 * the clicker's own job (their limits apply). The new card shows the prompt where the click
 * came from, so only where the set itself was seen (a DM set only by its owner), and never a
 * set its owner deleted.
 */
import type { JobRecord } from '../../engine/job.js';
import { modelFor, withOtherSeed } from '../../models/registry.js';
import { startJob } from '../start-job.js';
import { defineAction, jobCustomId, parseJobCustomId } from './action.js';
import { visibleSet } from './job-checks.js';

const NAME = 'reroll';

export const rerollCustomId = (jobId: string) => jobCustomId(NAME, jobId);

export const rerollAction = defineAction<string, JobRecord>({
  name: NAME,
  cooldown: true,
  parse: (customId) => parseJobCustomId(NAME, customId),

  check: (interaction, context, jobId) => visibleSet(interaction, context, jobId, 'replies.reroll_deleted'),

  async run(interaction, context, job) {
    await startJob(interaction, context, {
      prompt: job.prompt,
      model: job.model,
      input: withOtherSeed(modelFor(job.model), job.input),
    });
  },
});
