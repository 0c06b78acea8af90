/**
 * The status card of a generation: its title, fields and status line.
 */
export const card = {
  field: {
    count: 'Images',
    aspect: 'Aspect ratio',
    seed: 'Seed',
    quality: 'Quality',
    requester: 'Requested by',
    status: 'Status',
  },
  seed_random: 'Random',
  quality: { fast: 'Fast', standard: 'Standard (better, slower)' },
  title: {
    submitted: 'Sending your request…',
    queued: 'Waiting in the queue',
    running: 'Generating…',
    fetching: 'Fetching the images…',
    delivering: 'Posting the images…',
    delivered: 'Done',
    cancelled: 'Cancelled',
    failed: 'Failed',
    timed_out: 'Timed out',
    expired: 'Expired',
    waiting: 'Waiting for a free slot',
  },
  footer: 'Job {reference}',
  status: {
    submitted: 'Sending the request to RunComfy…',
    queued: 'In the queue.',
    queued_position: 'In the queue — position {position}.',
    running: '{bar}\nStarted {started} · expected to finish {eta}',
    fetching: 'Finished! Fetching the images…',
    delivering: 'Posting the images…',
    delivered: 'Done in {duration}: {received} image(s).',
    delivered_partial: 'Done in {duration}: {received} of the {requested} images asked for (the model returned fewer).',
    cancelled: 'Cancelled before it started; nothing was generated.',
    result_deleted: 'The images were deleted.',
    ended: 'Stopped: {reason}',
  },
} as const;
