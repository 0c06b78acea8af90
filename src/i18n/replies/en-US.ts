/**
 * Short private answers to buttons and to /cancel and /jobs.
 */
export const replies = {
  not_yours_delete: 'Only the person who asked for these images, or a moderator, can delete them.',
  deleted: 'Deleted {count} message(s).',
  not_yours_cancel: 'Only the person who started this generation, or a moderator, can cancel it.',
  cancel_cancelled: 'Cancelled. It was still in the queue, so nothing was generated.',
  cancel_not_cancellable:
    'It is already generating, and RunComfy cannot stop a generation once it has started. The images will arrive when it finishes.',
  cancel_already_ended: 'That generation has already ended.',
  restarting: 'The bot is restarting; try again in a moment.',
  button_expired: 'This button no longer works. Please run the command again.',
  not_visible_here: 'This button does not belong to a set shown here, so it does nothing here.',
  reroll_deleted: 'This set was deleted, so it cannot be rerolled.',
  vary_deleted: 'This set was deleted, so its images cannot be varied.',
  vary_image_gone: 'That image is no longer in the result message, so it cannot be varied.',
  slow_down: 'Slow down: try again in {seconds} s.',
  no_active_jobs: 'You have no generations in progress.',
  started: 'started {when}',
  jobs_title: 'Your generations in progress',
} as const;
