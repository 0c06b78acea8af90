/**
 * Labels of the buttons under cards and results.
 */
export const buttons = {
  cancel: 'Cancel',
  cancel_numbered: 'Cancel #{number}',
  reroll: 'Reroll',
  info: 'Info',
  remix: 'Remix',
  delete: 'Delete',
} as const;
