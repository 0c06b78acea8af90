/** `npm run deploy-commands`: registers the slash commands for DEV_GUILD_ID (at once) or globally. */
import { REST, Routes } from 'discord.js';
import { commands } from '../../commands/index.js';
import { EnvError, loadBotEnv, loadDotEnv } from '../env.js';

try {
  loadDotEnv();
  const env = loadBotEnv();
  const rest = new REST(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}).setToken(env.DISCORD_TOKEN);
  const body = commands.map((command) => command.definition);
  const route = env.DEV_GUILD_ID
    ? Routes.applicationGuildCommands(env.DISCORD_APPLICATION_ID, env.DEV_GUILD_ID)
    : Routes.applicationCommands(env.DISCORD_APPLICATION_ID);
  await rest.put(route, { body });
  process.stdout.write(
    `Registered ${body.length} commands ${env.DEV_GUILD_ID ? `in guild ${env.DEV_GUILD_ID}` : 'globally (may take a while to appear)'}.\n`,
  );
} catch (error) {
  if (error instanceof EnvError) {
    process.stderr.write(`Cannot register commands:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  } else {
    process.stderr.write(`Cannot register commands: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
