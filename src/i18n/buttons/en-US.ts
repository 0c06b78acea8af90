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
  vary_placeholder: 'Vary one image…',
  vary_image: 'Vary image {number}',
} as const;
