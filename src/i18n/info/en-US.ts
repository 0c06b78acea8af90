/**
 * The private answer to Info on a result: everything needed to read or make the set again.
 */
export const info = {
  title: 'Parameters of this set',
  prompt_sent: 'Prompt as sent',
  prompt_own: 'Prompt as written',
  seed: 'Seed',
  model: 'Model',
  size: 'Size',
  size_value: '{width}×{height} · {aspect}',
  quality: 'Quality',
  images: 'Images',
  images_value: '{received} received of {requested} asked for',
  timings: 'Timings',
  timings_value: 'Waiting {queued} · generating {generation} · delivering {delivery} · total {total}',
  cost: 'Cost',
  cost_charged: 'US$ {usd} charged',
  cost_estimate: 'about US$ {usd} (estimate)',
  cost_unknown: 'not known',
  request: 'RunComfy request',
  request_none: 'not sent to RunComfy',
  reference: 'Job reference',
  deleted: 'This set was deleted, so its parameters are no longer shown.',
} as const;
