/**
 * `npm run deploy-commands`: registers the slash commands for DEV_GUILD_ID (at once) or globally.
 * Reads `.env` like `npm start`, but needs only the Discord variables: registering commands
 * talks to Discord alone. Beside main.ts because, like app.ts, it composes the product: only
 * these two import the slash commands of commands/.
 */
import { REST } from 'discord.js';
import { commands } from '../commands/index.js';
import { DiscordApi } from './discord/discord-api.js';
import { EnvError, loadDeployEnv, loadDotEnv } from './env.js';

try {
  loadDotEnv();
  const env = loadDeployEnv();
  const rest = new REST(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}).setToken(env.DISCORD_TOKEN);
  const body = commands.map((command) => command.definition);
  await new DiscordApi(rest, env.DISCORD_APPLICATION_ID).registerCommands(body, env.DEV_GUILD_ID);
  process.stdout.write(
    `Registered ${body.length} commands ${env.DEV_GUILD_ID ? `in guild ${env.DEV_GUILD_ID}` : 'globally (may take a while to appear)'}.\n`,
  );
} catch (error) {
  if (error instanceof EnvError) {
    process.stderr.write(
      `Cannot register commands:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Set these variables in .env or the environment (see .env.example and the README).\n',
    );
  } else {
    process.stderr.write(`Cannot register commands: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
