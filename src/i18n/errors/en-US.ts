/**
 * One message per error code.
 *
 * `errors.<code>` is keyed by `AppError.code`; its placeholders are that error’s `params`.
 * Messages say what happened and what to do next, never how the code failed.
 */
export const errors = {
  unknown:
    'Something went wrong on our side. Please try again in a moment; if it keeps happening, tell an admin and quote the reference.',
  aborted: 'The operation was stopped before it finished.',

  // Your request (nothing was sent to RunComfy)
  prompt_empty: 'Your prompt is empty. Describe what you would like to see, e.g. “3 images of a lighthouse at dusk”.',
  prompt_too_long: 'Your prompt is {length} characters long; the limit is {max}. Please shorten it and try again.',
  prompt_too_long_with_count:
    'With the number of images added, your prompt is {needed} characters over the {max}-character limit. Shorten it by {needed} characters, or write the number yourself (e.g. “4 images of …”).',
  count_out_of_range: 'You asked for {requested} images; please choose a number from {min} to {max}.',
  count_not_number: '“{count}” is not a number of images. Please write a whole number from {min} to {max}.',
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
  admission_inconsistent:
    'The bot could not record your request just now (its records disagreed), so nothing was sent or charged. Please try again; if it keeps happening, tell an admin.',
  store_not_redis: 'The bot is set up wrongly (its store), so it cannot take requests. Please tell an admin.',
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
  runcomfy_model_unknown: 'The image model this bot is set up to use does not exist on RunComfy. Please tell an admin.',
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
} as const;
