/**
 * The messages that carry a finished set.
 */
export const result = {
  image_title: '{number}/{total}',
  linked: 'This image was too large to attach: {url}',
  details: 'Requested by {requester} · seed {seed} · {size} · {quality} · {duration}',
  partial: 'The model returned {received} of the {requested} images asked for.',
  unusable: 'Image(s) {numbers} could not be used, so {count} fewer are shown.',
  overview: 'All {total} at a glance: the full-size images are above.',
  overview_unavailable: 'The overview image could not be made; all {total} images are above.',
} as const;
