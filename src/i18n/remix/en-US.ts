/**
 * Remix on a result: the form (Discord's modal: title and labels ≤ 45 characters, descriptions
 * ≤ 100) and its private refusals.
 */
export const remix = {
  title: 'Remix: a new prompt, the same settings',
  prompt_label: 'Prompt',
  prompt_description: 'The aspect ratio, quality and model stay; the seed is new.',
  count_label: 'Number of images ({min}–{max})',
  deleted: 'This set was deleted, so it cannot be remixed.',
} as const;
