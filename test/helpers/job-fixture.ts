/** A job record for tests that render or deliver one without running the engine. */
import type { JobRecord } from '../../src/engine/job.js';

/** 4 images of 16:9, fast, in channel `c` of server `g`, created at 0; `patch` overrides anything. */
export function jobFixture(patch: Partial<JobRecord> = {}): JobRecord {
  return {
    v: 2,
    id: '1574899051944607744',
    state: 'queued',
    owner: { userId: '42', guildId: 'g', channelId: 'c', locale: 'en-US' },
    prompt: 'a lighthouse',
    model: 'bytedance/seedream-4-0/sequential',
    input: {
      text: 'Generate 4 images: a lighthouse',
      sequential_image_generation_options: 4,
      image_size: '2560:1440 (16:9)',
      optimize_prompt_options: 'fast',
      sequential_image_generation: 'auto',
    },
    createdAt: 0,
    updatedAt: 0,
    deadlineAt: 0,
    stateTimes: { submitted: 0 },
    queuePosition: null,
    imageUrls: [],
    missingImages: [],
    delivery: {},
    deliveryAttempts: 0,
    surface: {},
    ...patch,
  };
}
