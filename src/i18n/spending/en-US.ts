/**
 * What a set costs and where it waits, as cards show it.
 */
export const spending = {
  cost_field: 'Cost',
  cost_estimate: '≈ US$ {usd} ({count} × US$ {price})',
  cost_charged: 'US$ {usd} charged',
  result_charged: 'Charged: US$ {usd}',
  waiting: 'In the bot’s queue: it goes to RunComfy as soon as a slot is free. You can still cancel.',
  waiting_position:
    'In the bot’s queue, position {position}: it goes to RunComfy as soon as a slot is free. You can still cancel.',
  waiting_short: 'Waiting for a free slot (#{position})',
} as const;
