/**
 * Labels of the buttons under cards and results.
 */
export const buttons = {
  cancel: 'Cancel',
  cancel_numbered: 'Cancel #{number}',
  reroll: 'Reroll',
  delete: 'Delete',
} as const;
