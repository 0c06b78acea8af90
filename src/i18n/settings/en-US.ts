/**
 * /settings: the command, the view of a server’s settings and its answers.
 */
export const settings = {
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
} as const;
