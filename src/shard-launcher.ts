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
import { EnvError, loadDotEnv, loadShardedEnv } from './env.js';
import { createLogger } from './log.js';

let env: ReturnType<typeof loadShardedEnv>;
try {
  loadDotEnv();
  env = loadShardedEnv();
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  process.stderr.write(`seedream bot: cannot start.\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
const logger = createLogger({
  level: env.LOG_LEVEL,
  format: env.LOG_FORMAT,
  secrets: [env.DISCORD_TOKEN, env.RUNCOMFY_API_TOKEN],
});
const totalShards = env.SHARD_COUNT;
if (!/^rediss?:\/\//i.test(env.STORE_URL) && totalShards !== 1) {
  process.stderr.write(
    'seedream bot: several processes need a shared store. Set STORE_URL=redis://host:port (SQLite serves one process).\n',
  );
  process.exit(1);
}
// Compiled (dist/), each shard runs main.js; from the sources, main.ts through tsx.
const compiled = import.meta.url.endsWith('.js');

const manager = new ShardingManager(fileURLToPath(new URL(compiled ? './main.js' : './main.ts', import.meta.url)), {
  token: env.DISCORD_TOKEN,
  totalShards,
  execArgv: compiled ? [] : ['--import', 'tsx'],
  // A shard that dies is started again; its jobs are adopted by the others meanwhile.
  respawn: true,
});
manager.on('shardCreate', (shard) => logger.info({ shard: shard.id }, 'shard process started'));
await manager.spawn({ timeout: 60_000 });
