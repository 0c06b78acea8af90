/**
 * /usage: the command and its view.
 */
export const usage = {
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
} as const;
