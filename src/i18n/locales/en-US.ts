/**
 * The source of truth for every message key. zh-TW and zh-CN must have exactly these keys
 * (the compiler and test/i18n/catalogue.test.ts both check) and use the same `{placeholders}`.
 *
 * `errors.<code>` is keyed by `AppError.code`; its placeholders are that error's `params`.
 * Messages say what happened and what to do next, never how the code failed.
 */
export const enUS = {
  common: {
    reference: 'Reference: {reference}',
    count_summary: '{received} of {requested} images',
  },
  commands: {
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
      },
    },
    cancel: {
      name: 'cancel',
      description: 'Cancel one of your generations that is still queued',
      options: { job: { name: 'job', description: 'The generation to cancel' } },
    },
    jobs: { name: 'jobs', description: 'Show your generations in progress' },
  },
  card: {
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
    },
    footer: 'Job {reference}',
    status: {
      submitted: 'Sending the request to RunComfy…',
      queued: 'In the queue.',
      queued_position: 'In the queue, position {position}.',
      running: '{bar}\nStarted {started} · expected to finish {eta}',
      fetching: 'Finished! Fetching the images…',
      delivering: 'Posting the images…',
      delivered: 'Done in {duration}: {received} image(s).',
      delivered_partial:
        'Done in {duration}: {received} of the {requested} images asked for (the model returned fewer).',
      cancelled: 'Cancelled before it started; nothing was generated.',
      ended: 'Stopped: {reason}',
    },
  },
  buttons: {
    cancel: 'Cancel',
    cancel_numbered: 'Cancel #{number}',
    reroll: 'Reroll',
    delete: 'Delete',
  },
  replies: {
    not_yours_delete: 'Only the person who asked for these images, or a moderator, can delete them.',
    deleted: 'Deleted {count} message(s).',
    not_yours_cancel: 'Only the person who started this generation, or a moderator, can cancel it.',
    cancel_cancelled: 'Cancelled. It was still in the queue, so nothing was generated.',
    cancel_not_cancellable:
      'It is already generating, and RunComfy cannot stop a generation once it has started. The images will arrive when it finishes.',
    cancel_already_ended: 'That generation has already ended.',
    button_expired: 'This button no longer works. Please run the command again.',
    no_active_jobs: 'You have no generations in progress.',
    started: 'started {when}',
    jobs_title: 'Your generations in progress',
  },
  result: {
    image_title: '{number}/{total}',
    linked: 'This image was too large to attach: {url}',
    details: 'Requested by {requester} · seed {seed} · {size} · {quality} · {duration}',
    partial: 'The model returned {received} of the {requested} images asked for.',
  },
  errors: {
    unknown:
      'Something went wrong on our side. Please try again in a moment; if it keeps happening, tell an admin and quote the reference.',
    aborted: 'The operation was stopped before it finished.',

    // Your request (nothing was sent to RunComfy)
    prompt_empty: 'Your prompt is empty. Describe what you would like to see, e.g. “3 images of a lighthouse at dusk”.',
    prompt_too_long: 'Your prompt is {length} characters long; the limit is {max}. Please shorten it and try again.',
    prompt_too_long_with_count:
      'With the number of images added, your prompt is {needed} characters over the {max}-character limit. Shorten it by {needed} characters, or write the number yourself (e.g. “4 images of …”).',
    count_out_of_range: 'You asked for {requested} images; please choose a number from {min} to {max}.',
    stated_count_out_of_range:
      'Your prompt asks for {stated} images, but one request can make {min} to {max}. Please change the number in the prompt.',
    count_mismatch:
      'Your prompt asks for {stated} images but the count option says {requested}. Make them match, or leave the count option out.',
    ambiguous_count:
      'Your prompt mentions more than one number of images ({counts}). Keep just one so it is clear how many to make.',
    aspect_unknown: '“{aspect}” is not an aspect ratio this model offers. Choose one of: {allowed}.',
    seed_invalid:
      'The seed must be a whole number from {min} to {max} (you gave “{seed}”). Leave it out to get a random one.',
    quality_unknown: '“{quality}” is not a quality setting. Choose one of: {allowed}.',
    internal_input_invalid:
      'The bot put together a request it cannot send. That is a bug on our side, not a problem with your prompt; please tell an admin.',

    // RunComfy
    runcomfy_auth: 'The bot’s RunComfy key was refused, so nothing was generated. Please tell an admin.',
    runcomfy_insufficient_balance:
      'The bot’s RunComfy account is out of credit, so nothing was generated. Please tell an admin.',
    runcomfy_not_found: 'RunComfy no longer knows this request. It may have expired or been deleted.',
    runcomfy_validation:
      'RunComfy did not accept the request (check: {fields}). Please adjust the options and try again.',
    runcomfy_model_unknown:
      'The image model this bot is set up to use does not exist on RunComfy. Please tell an admin.',
    runcomfy_rate_limited: 'RunComfy is receiving too many requests right now. Please wait a minute and try again.',
    runcomfy_server: 'RunComfy is having trouble right now. Please try again in a few minutes.',
    runcomfy_network: 'RunComfy could not be reached. Please try again in a few minutes.',
    runcomfy_timeout: 'RunComfy took too long to answer. Please try again in a few minutes.',
    runcomfy_unexpected_response:
      'RunComfy sent an answer the bot does not understand. Please try again later; if it keeps happening, tell an admin.',
    runcomfy_submit_uncertain:
      'The connection dropped while your request was being sent, so it may have started on RunComfy anyway. It was not re-sent, so you are not charged twice; check for the result before trying again.',

    // Jobs
    user_active_limit:
      'You already have {active} generations in progress (the limit is {limit}). Wait for one to finish or cancel one, then try again.',
    submit_failed: 'Your request could not be sent to RunComfy. Please try again in a moment.',
    job_not_found: 'That generation cannot be found. It may be too old and already cleaned up.',
    job_cancelled: 'The generation was cancelled.',
    job_timed_out: 'The generation did not finish in time (limit: {minutes} min), so we stopped waiting for it.',
    generation_failed: 'The model could not generate this set. Try rewording the prompt, or try again later.',
    job_illegal_transition: 'The bot lost track of this generation because of an internal error. Please tell an admin.',

    // Results and delivery
    output_empty: 'The model finished but returned no usable images. Try again, perhaps with a different prompt.',
    output_malformed:
      'The model returned its result in a form the bot does not understand. Please try again later, and tell an admin if it keeps happening.',
    images_expired: 'The images are no longer available: they expired before they could be fetched.',
    images_download_failed: 'The images were made but could not be downloaded. Please try again later.',
    image_gone: 'An image was no longer available for download.',
    image_too_large: 'An image was too large to download.',
    image_not_an_image: 'RunComfy returned a file that is not an image.',
    image_download_transient: 'An image could not be downloaded just now. Please try again.',
    delivery_failed:
      'The images were made, but the bot could not post them here. Check that it may send messages and attach files in this channel.',

    // Discord
    card_unknown: 'The bot could not find the status message of this generation to update it.',
    interaction_expired: 'This interaction has expired (Discord allows 15 minutes). Please run the command again.',

    // Storage and configuration
    store_corrupt: 'The bot’s saved data could not be read. Please tell an admin.',
    store_unreachable:
      'The bot cannot reach its storage right now. Please try again in a moment; if it keeps happening, tell an admin.',
    store_write_failed: 'The bot could not save its data just now. Please try again in a moment.',
    store_url_invalid: 'The bot’s storage setting (STORE_URL) is not valid. Please tell an admin.',
  },
} as const;

/** The shape every locale shares: the same nesting, with any string at the leaves. */
export type MessageTree<T = typeof enUS> = {
  readonly [K in keyof T]: T[K] extends string ? string : MessageTree<T[K]>;
};
