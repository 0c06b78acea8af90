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
      delivered_partial:
        'Done in {duration}: {received} of the {requested} images asked for (the model returned fewer).',
      cancelled: 'Cancelled before it started; nothing was generated.',
      result_deleted: 'The images were deleted.',
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
    restarting: 'The bot is restarting; try again in a moment.',
    button_expired: 'This button no longer works. Please run the command again.',
    not_visible_here: 'This button does not belong to a set shown here, so it does nothing here.',
    reroll_deleted: 'This set was deleted, so it cannot be rerolled.',
    slow_down: 'Slow down: try again in {seconds} s.',
    no_active_jobs: 'You have no generations in progress.',
    started: 'started {when}',
    jobs_title: 'Your generations in progress',
  },
  result: {
    image_title: '{number}/{total}',
    linked: 'This image was too large to attach: {url}',
    details: 'Requested by {requester} · seed {seed} · {size} · {quality} · {duration}',
    partial: 'The model returned {received} of the {requested} images asked for.',
    unusable: 'Image(s) {numbers} could not be used, so {count} fewer are shown.',
    overview: 'All {total} at a glance: the full-size images are above.',
    overview_unavailable: 'The overview image could not be made; all {total} images are above.',
  },
  spending: {
    cost_field: 'Cost',
    cost_estimate: '≈ US$ {usd} ({count} × US$ {price})',
    cost_charged: 'US$ {usd} charged',
    result_charged: 'Charged: US$ {usd}',
    waiting: 'In the bot’s queue: it goes to RunComfy as soon as a slot is free. You can still cancel.',
    waiting_position:
      'In the bot’s queue, position {position}: it goes to RunComfy as soon as a slot is free. You can still cancel.',
    waiting_short: 'Waiting for a free slot (#{position})',
  },
  settings: {
    // Command and option names: English here, localised like the other commands.
    command: { name: 'settings', description: 'Show or change how this server uses the bot (Manage Server)' },
    show: { name: 'show', description: 'Show this server’s defaults, limits, roles, channels and DMs' },
    defaults: {
      name: 'defaults',
      description: 'Set the defaults of /imagine in this server',
      options: {
        count: { name: 'count', description: 'Default number of images (1–15)' },
        aspect: { name: 'aspect', description: 'Default aspect ratio' },
        quality: { name: 'quality', description: 'Default quality' },
        reset: { name: 'reset', description: 'Forget this server’s defaults (back to the model’s)' },
      },
    },
    limits: {
      name: 'limits',
      description: 'Set this server’s quotas (0 = no limit)',
      options: {
        user_daily_images: { name: 'member-images-per-day', description: 'Images one member may make per day (UTC)' },
        server_daily_images: {
          name: 'server-images-per-day',
          description: 'Images the whole server may make per day (UTC)',
        },
        server_monthly_usd: { name: 'server-budget-usd', description: 'US$ the server may spend per month' },
        user_active: { name: 'member-in-progress', description: 'Generations one member may have in progress' },
        server_active: { name: 'server-in-progress', description: 'Generations the whole server may have in progress' },
        reset: { name: 'reset', description: 'Forget this server’s limits (back to the bot’s defaults)' },
      },
    },
    roles: {
      name: 'roles',
      description: 'Choose the roles allowed to generate (none chosen = everyone)',
      options: {
        add: { name: 'add', description: 'A role to allow' },
        remove: { name: 'remove', description: 'A role to stop allowing' },
        reset: { name: 'reset', description: 'Allow everyone again' },
      },
    },
    channels: {
      name: 'channels',
      description: 'Choose the channels where /imagine may be used (none chosen = all)',
      options: {
        add: { name: 'add', description: 'A channel to allow' },
        remove: { name: 'remove', description: 'A channel to stop allowing' },
        reset: { name: 'reset', description: 'Allow every channel again' },
      },
    },
    dms: {
      name: 'dms',
      description: 'Allow or forbid members to generate in DMs with the bot',
      options: {
        allowed: { name: 'allowed', description: 'Whether members may generate in DMs (charged to this server)' },
      },
    },
    title: 'Settings of this server',
    field: {
      defaults: 'Defaults of /imagine',
      limits: 'Limits',
      roles: 'Who may generate',
      channels: 'Where /imagine may be used',
      dms: 'Generating in DMs',
    },
    defaults_line: 'Images: {count} · Aspect ratio: {aspect} · Quality: {quality}',
    model_default: '{value} (the model’s default)',
    limit: {
      user_daily_images: 'Images per member per day: {value}',
      server_daily_images: 'Images for the server per day: {value}',
      server_monthly_usd: 'Budget of the server per month: {value}',
      user_active: 'Generations in progress per member: {value}',
      server_active: 'Generations in progress in the server: {value}',
    },
    no_limit: 'no limit',
    usd: 'US$ {amount}',
    bot_default: '{value} (the bot’s default)',
    everyone: 'Everyone',
    everywhere: 'Every channel',
    managers_note: 'Members with Manage Server may always generate.',
    dms_on: 'Allowed, charged to this server',
    dms_off: 'Not allowed',
    saved: 'Saved. It applies from the next request.',
    nothing: 'Nothing to change: choose at least one option.',
    footer: 'Daily limits reset at 00:00 UTC, monthly ones on the 1st of the month.',
  },
  usage: {
    command: { name: 'usage', description: 'Your usage today and this month, and the server’s, with what is left' },
    title: 'Usage',
    you_today: 'You, today',
    you_month: 'You, this month',
    server_today: 'This server, today',
    server_month: 'This server, this month',
    images_of: '{used} of {limit} images · {left} left · resets {resets}',
    images_unlimited: '{used} images (no limit)',
    month_images: '{images} images · US$ {usd}',
    usd_of: 'US$ {used} of US$ {limit} · US$ {left} left · resets {resets}',
    usd_unlimited: 'US$ {used} (no limit)',
    in_progress: 'In progress: {active} of {limit}',
    in_progress_unlimited: 'In progress: {active}',
    dm_home: 'In DMs your generations are charged to the server {server}.',
    no_server: 'You are not in a server that allows generating in DMs: only your own usage is shown.',
    undelivered: 'Of these, {images} were charged without being delivered (RunComfy may have made them).',
    footer: 'Money is estimated when a set is accepted and corrected to what RunComfy charged once it is done.',
  },
  gallery: {
    // Command and option names: English here, localised like the other commands.
    command: { name: 'gallery', description: 'The server’s gallery of generated sets' },
    setup: {
      name: 'setup',
      description: 'Choose the gallery channel where every set is also posted (Manage Server)',
      options: { channel: { name: 'channel', description: 'A text, forum or media channel' } },
    },
    off: { name: 'off', description: 'Stop posting sets to the gallery (Manage Server)' },
    browse: {
      name: 'browse',
      description: 'Browse the server’s past sets, newest first',
      options: {
        user: { name: 'user', description: 'Only sets by this member' },
        search: { name: 'search', description: 'Words in the prompt (English or Chinese)' },
      },
    },
    history: {
      name: 'history',
      description: 'Browse your own sets, across servers',
      options: { search: { name: 'search', description: 'Words in the prompt (English or Chinese)' } },
    },
    replies: {
      guild_only: 'Galleries belong to servers: use this command in a server.',
      need_manage_server: 'Only members with the Manage Server permission can change the gallery.',
      wrong_type: '{channel} cannot hold a gallery. Choose a text, forum or media channel.',
      missing:
        'I cannot use {channel} as the gallery yet. I am missing these permissions there: {permissions}. Grant them (channel settings → Permissions) and run /gallery setup again.',
      ready_text: 'Done: every new set will also be posted to {channel}, one message per set with a thread.',
      ready_forum: 'Done: every new set will also be posted to {channel}, one post per set, tagged by aspect ratio.',
      ready_media: 'Done: every new set will also be posted to {channel}, one post per set, tagged by aspect ratio.',
      off: 'The gallery is off: new sets are no longer posted to {channel}. Posts already there stay.',
      already_off: 'There is no gallery to turn off.',
      post_removed: 'Its gallery post was removed too.',
    },
    list_separator: ', ',
    // The names Discord's own channel settings use.
    permission: {
      ViewChannel: 'View Channel',
      SendMessages: 'Send Messages',
      SendMessagesInThreads: 'Send Messages in Threads',
      EmbedLinks: 'Embed Links',
      AttachFiles: 'Attach Files',
      ReadMessageHistory: 'Read Message History',
      ManageThreads: 'Manage Threads',
      CreatePublicThreads: 'Create Public Threads',
      ManageChannels: 'Manage Channels',
    },
    notice: {
      title: 'The gallery is paused',
      next: 'Results are still posted where they were asked for. A member with Manage Server can fix this and run /gallery setup again. This notice is sent once, not for every set.',
    },
    post: {
      original: 'Original result',
      jump: 'Open the original result',
    },
    sheet_title: 'Overview of {total}',
    browser: {
      page: 'Page {page} of {total}',
      not_yours: 'This browser belongs to whoever opened it. Run /gallery browse or /history to open your own.',
      no_matches: 'No sets match that search.',
      empty_guild: 'This server has no sets in its gallery yet.',
      empty_history: 'You have no sets yet. Make one with /imagine.',
      removed: 'This set has been deleted.',
      open_post: 'Open the post',
      open_result: 'Open the result',
      made: 'Made',
      where: 'Where',
      in_dm: 'In a DM',
    },
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
    option_missing:
      'The command arrived without its required option “{option}”. Please run it again from Discord’s command menu.',
    option_invalid:
      'The option “{option}” arrived in a form the command does not take. Please run it again from Discord’s command menu.',

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
    runcomfy_response_too_large:
      'RunComfy sent an answer far larger than any it should, so the bot did not read it. Please try again later; if it keeps happening, tell an admin.',
    runcomfy_submit_uncertain:
      'Your request reached RunComfy but no clear answer came back (the connection dropped, or RunComfy had an error), so it may have started there anyway. It was not sent again, so it cannot be charged twice, but it counts against your quota because RunComfy may have charged it. Check /jobs before trying again.',

    // Jobs
    user_active_limit:
      'You already have {active} generations in progress (the limit is {limit}). Wait for one to finish or cancel one, then try again.',
    // Quotas and access (the bot's own limits)
    quota_user_daily:
      'You have used {used} of your {limit} images for today and this request needs {requested}, so it was not started. You can make {left} more today; your quota resets {resets}.',
    quota_guild_daily:
      'This server has used {used} of its {limit} images for today and this request needs {requested}, so it was not started. {left} are left; the server’s quota resets {resets}.',
    quota_guild_monthly:
      'This server has spent US$ {used} of its US$ {limit} monthly budget and this request would cost about US$ {estimate}, so it was not started. The budget resets {resets}.',
    guild_active_limit:
      'This server already has {active} generations in progress (the limit is {limit}). Please try again when one has finished.',
    channel_not_allowed: 'Images cannot be generated in this channel. Use one of these: {channels}.',
    role_not_allowed: 'Only members with one of these roles can generate images here: {roles}.',
    dm_not_allowed:
      'None of the servers you share with the bot allows generating in DMs. Use /imagine in a server instead.',
    settings_forbidden: 'Only members with the Manage Server permission can change these settings.',
    settings_guild_only: 'Settings belong to a server: use /settings in one.',
    settings_value_invalid: 'That value is not allowed here: choose a number from {min} to {max}.',
    submit_failed: 'Your request could not be sent to RunComfy. Please try again in a moment.',
    job_not_found: 'That generation cannot be found. It may be too old and already cleaned up.',
    job_cancelled: 'The generation was cancelled.',
    job_timed_out: 'The generation did not finish in time (limit: {minutes} min), so we stopped waiting for it.',
    queue_timed_out:
      'The bot was busy with other requests for {minutes} min, so this one was never started and nothing was charged. Please try again.',
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
    image_too_many_pixels: 'An image had far more pixels than the model makes, so it could not be used.',
    image_host_refused: 'An image was on a host that points inside a private network, so it was not downloaded.',
    delivery_failed:
      'The images were made, but the bot could not post them here. Check that it may send messages and attach files in this channel.',
    delivery_refused:
      'The images were made, but Discord refused the message that carries them (error {code}). This is a fault in the bot, not in your request: please tell an admin, with the reference below.',

    // Discord
    card_unknown: 'The bot could not find the status message of this generation to update it.',
    interaction_expired: 'This interaction has expired (Discord allows 15 minutes). Please run the command again.',

    // Storage and configuration
    store_corrupt: 'The bot’s saved data could not be read. Please tell an admin.',
    store_unreachable:
      'The bot cannot reach its storage right now. Please try again in a moment; if it keeps happening, tell an admin.',
    store_contention: 'The bot is very busy right now. Please try again in a moment.',
    store_write_failed: 'The bot could not save its data just now. Please try again in a moment.',
    store_url_invalid: 'The bot’s storage setting (STORE_URL) is not valid. Please tell an admin.',
    store_in_use:
      'The bot’s storage is already used by another copy of the bot (SQLite serves one). Please tell an admin.',
    lease_lost: 'Another copy of the bot took this generation over; it carries on there.',

    // Galleries (shown to admins in the one notice of a failure)
    gallery_permissions_missing:
      'I could not post this set to the gallery {channel}: I am missing these permissions there: {permissions}.',
    gallery_channel_missing: 'The gallery channel {channel} no longer exists, so sets are not posted to a gallery.',
    gallery_tag_required:
      'The gallery {channel} requires a tag on every post, and I could not add one. Give me Manage Channels there, or add an aspect-ratio tag such as “16:9”.',
    gallery_post_refused: 'Discord refused the gallery post in {channel}. Check the channel’s settings.',

    // Reference images (checked before anything is sent)
    reference_too_many: 'You gave {given} reference images; at most {max} can be used at once.',
    references_count_over_limit:
      'With {references} reference images you can ask for at most {maxCount} images ({max} in all, references included); you asked for {count}. Lower the count, or use fewer references.',
    reference_not_public_url:
      'The reference image “{reference}” is not at a public HTTPS address, and RunComfy fetches references itself. Upload the image and try again.',
    reference_not_an_image:
      'The reference “{reference}” is not a PNG, JPEG or WebP image (it is {type}). Attach a picture in one of those formats.',
    reference_too_large: 'The reference image “{reference}” is {size} MB; the limit is {max} MB. Use a smaller copy.',
    reference_not_found:
      'The reference image “{reference}” is no longer there (its link answers “not found”). Attach it again.',
    reference_unreachable:
      'The reference image “{reference}” could not be fetched ({reason}). Please try again in a moment, or attach it again.',
    model_unknown: 'This set names an image model the bot does not know ({model}). Please tell an admin.',
  },
} as const;

/** The shape every locale shares: the same nesting, with any string at the leaves. */
export type MessageTree<T = typeof enUS> = {
  readonly [K in keyof T]: T[K] extends string ? string : MessageTree<T[K]>;
};
