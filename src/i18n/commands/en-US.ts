/**
 * Names and descriptions of /imagine, /cancel and /jobs as Discord lists them.
 */
export const commands = {
  // Command and option names stay English in every locale: they are what people type and what help pages show.
  imagine: {
    name: 'imagine',
    description: 'Generate a set of 1–15 related images with Seedream 4.0',
    options: {
      prompt: { name: 'prompt', description: 'What to draw. You can say how many, e.g. “4 posters of a koi pond”' },
      count: { name: 'count', description: 'How many images (1–15); must match a number in the prompt' },
      aspect: { name: 'aspect', description: 'Shape of the images (default 16:9)' },
      seed: { name: 'seed', description: 'Seed for repeatable results (leave empty for a random one)' },
      quality: { name: 'quality', description: 'Prompt optimisation: fast, or standard (better, slower)' },
      reference1: {
        name: 'reference1',
        description: 'Reference image 1 (PNG, JPEG or WebP, ≤ 50 MB): the set keeps its subject or style',
      },
      reference2: {
        name: 'reference2',
        description: 'Reference image 2 (PNG, JPEG or WebP, ≤ 50 MB): the set keeps its subject or style',
      },
      reference3: {
        name: 'reference3',
        description: 'Reference image 3 (PNG, JPEG or WebP, ≤ 50 MB): the set keeps its subject or style',
      },
      reference4: {
        name: 'reference4',
        description: 'Reference image 4 (PNG, JPEG or WebP, ≤ 50 MB): the set keeps its subject or style',
      },
    },
  },
  cancel: {
    name: 'cancel',
    description: 'Cancel one of your generations that is still queued',
    options: { job: { name: 'job', description: 'The generation to cancel' } },
  },
  jobs: { name: 'jobs', description: 'Show your generations in progress' },
} as const;
