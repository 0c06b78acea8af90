/**
 * The bot's entry point (`npm start` runs it compiled, `npm run dev` through tsx): read the
 * configuration, start the bot, and on SIGTERM/SIGINT shut down gracefully within
 * SHUTDOWN_TIMEOUT, exiting then whatever still hangs.
 */
import { startBot } from './app.js';
import { EnvError, loadBotEnv, loadDotEnv } from './env.js';
import { createLogger } from './log.js';

let env: ReturnType<typeof loadBotEnv>;
try {
  loadDotEnv();
  env = loadBotEnv();
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  // "Incomplete" only when something is missing and nothing is wrong: a bad STORE_URL is not missing.
  const incomplete = error.problems.every((p) => p.endsWith(' is missing'));
  process.stderr.write(
    `seedream bot: cannot start, the configuration is ${incomplete ? 'incomplete' : 'not valid'}.\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n` +
      `${incomplete ? 'Set' : 'Correct'} these variables (see .env.example and the README), then start again.\n`,
  );
  process.exit(1);
}

const logger = createLogger({
  level: env.LOG_LEVEL,
  format: env.LOG_FORMAT,
  secrets: [env.DISCORD_TOKEN, env.RUNCOMFY_API_TOKEN],
});
process.on('unhandledRejection', (reason) =>
  logger.error({ err: reason instanceof Error ? reason.message : reason }, 'unhandled rejection'),
);

try {
  const bot = await startBot({ env, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal, timeoutMs: env.SHUTDOWN_TIMEOUT }, 'stopping');
    // The deadline holds even if something hangs: every job is in the store already.
    setTimeout(() => {
      logger.error({ timeoutMs: env.SHUTDOWN_TIMEOUT }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT).unref();
    bot.shutdown(env.SHUTDOWN_TIMEOUT).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  logger.fatal(
    { err: error instanceof Error ? { message: error.message, code: (error as { code?: unknown }).code } : error },
    'could not start',
  );
  process.exit(1);
}
