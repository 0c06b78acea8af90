/**
 * Pieces several messages share.
 */
export const common = {
  reference: 'Reference: {reference}',
  count_summary: '{received} of {requested} images',
} as const;
