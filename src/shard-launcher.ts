/**
 * `npm run start:sharded`: the bot as several processes, one gateway shard each, through
 * discord.js's own ShardingManager. Each shard process is a whole bot (src/main.ts): it takes
 * the interactions of its servers, and its engine sends, polls and delivers any job, with
 * Redis (STORE_URL=redis://…) as the one truth between them (see README, "Running more than
 * one process"). `npm start` stays one process.
 *
 * SHARD_COUNT: a number, or `auto` (Discord's recommendation; default).
 */
import { fileURLToPath } from 'node:url';
import { ShardingManager } from 'discord.js';
import { loadBotEnv, loadDotEnv } from './env.js';
import { createLogger } from './log.js';

loadDotEnv();
const env = loadBotEnv();
const logger = createLogger({ level: env.LOG_LEVEL });
const requested = process.env.SHARD_COUNT?.trim() || 'auto';
const totalShards = requested === 'auto' ? 'auto' : Number(requested);
if (totalShards !== 'auto' && !(Number.isInteger(totalShards) && totalShards >= 1)) {
  process.stderr.write(`seedream bot: SHARD_COUNT must be a whole number of shards or "auto" (got "${requested}").\n`);
  process.exit(1);
}
if (!/^rediss?:\/\//i.test(env.STORE_URL) && totalShards !== 1) {
  process.stderr.write(
    'seedream bot: several processes need a shared store. Set STORE_URL=redis://host:port (SQLite serves one process).\n',
  );
  process.exit(1);
}

const manager = new ShardingManager(fileURLToPath(new URL('./main.ts', import.meta.url)), {
  token: env.DISCORD_TOKEN,
  totalShards,
  execArgv: ['--import', 'tsx'],
  // A shard that dies is started again; its jobs are adopted by the others meanwhile.
  respawn: true,
});
manager.on('shardCreate', (shard) => logger.info({ shard: shard.id }, 'shard process started'));
await manager.spawn({ timeout: 60_000 });
