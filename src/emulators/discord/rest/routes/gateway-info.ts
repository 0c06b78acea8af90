import { ok, type RouteDefinition } from '../context.js';

export const gatewayRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    pattern: '/gateway',
    auth: 'none',
    handler: ({ env }) => ok({ url: env.gatewayUrl() }),
  },
  {
    method: 'GET',
    pattern: '/gateway/bot',
    auth: 'bot',
    handler: ({ env }) =>
      ok({
        url: env.gatewayUrl(),
        shards: env.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 14_400_000,
          max_concurrency: env.maxConcurrency,
        },
      }),
  },
];
