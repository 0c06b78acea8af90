/**
 * The one reading of the environment. Nothing else in the bot reads `process.env`:
 * entry points call `loadBotEnv()` / `loadCliEnv()` and pass the typed result down.
 * A missing or malformed variable fails start-up with one message naming every bad variable.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Accepts `90000`, `90s`, `30m`, `1h`, `500ms`; yields milliseconds. */
export const durationMs = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m|h)?$/i, 'expected a duration such as 30m, 90s, 1h or a number of milliseconds')
  .transform((raw) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw)!;
    const value = Number(match[1]);
    const unit = (match[2] ?? 'ms').toLowerCase();
    const factor = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1;
    return Math.round(value * factor);
  });

const positiveInt = (fallback: number, max = 1_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);
/** A limit where 0 means "no limit". */
const limitInt = (fallback: number, max = 10_000_000) => z.coerce.number().int().min(0).max(max).default(fallback);
const usd = (fallback: number, max: number) =>
  z.coerce.number().min(0, 'must not be negative').max(max).default(fallback);
const boolean = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
    .default(fallback);
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const httpUrl = z
  .string()
  .trim()
  .url('expected a URL such as https://example.com')
  .refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));
const hostList = z
  .string()
  .trim()
  .transform((raw) =>
    raw
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .refine((hosts) => hosts.length > 0, 'expected a comma-separated list of host names')
  .refine(
    (hosts) => hosts.every((h) => /^(\*\.)?[a-z0-9.-]+$/.test(h)),
    'host names may only contain letters, digits, dots and dashes, with an optional leading *.',
  );
const storeUrl = z
  .string()
  .trim()
  .refine(
    (u) => /^(sqlite:\/\/|redis:\/\/|rediss:\/\/|memory:\/\/)/i.test(u),
    'expected sqlite://path, redis://host:port or memory://',
  );

/** What the RunComfy client, the CLI and the bot all need. */
export const runcomfyEnvShape = {
  RUNCOMFY_API_TOKEN: nonEmpty,
  RUNCOMFY_BASE_URL: httpUrl.default('https://model-api.runcomfy.net'),
  RUNCOMFY_MODEL_ID: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._/-]*$/i, 'expected a model id such as bytedance/seedream-4-0/sequential')
    .default('bytedance/seedream-4-0/sequential'),
  RUNCOMFY_OUTPUT_HOSTS: hostList.prefault('*.runcomfy.net,*.runcomfy.com'),
  RUNCOMFY_TIMEOUT: durationMs.prefault('30s'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
};

/** The job engine's knobs. */
export const engineEnvShape = {
  STORE_URL: storeUrl.default('sqlite://./data/seedream.sqlite'),
  /** Local working files (copies of finished sets until they are posted). */
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DOWNLOAD_TIMEOUT: durationMs.prefault('60s'),
  DOWNLOAD_MAX_BYTES: positiveInt(50 * 1024 * 1024, 1024 * 1024 * 1024),
  JOB_DEADLINE: durationMs.prefault('30m'),
  POLL_CONCURRENCY: positiveInt(8, 256),
  POLL_RATE: positiveInt(10, 1000),
  MAX_ACTIVE_JOBS_PER_USER: positiveInt(2, 100),
  HISTORY_LIMIT: positiveInt(50, 10_000),
  /** Price per image when RunComfy's model info does not say (US$). */
  PRICE_PER_IMAGE_USD: usd(0.03, 100),
  /** Jobs at RunComfy at once (submitted, queued or running), all servers together; beyond it requests wait in the bot's fair queue. */
  MAX_JOBS_IN_FLIGHT: positiveInt(20, 10_000),
  // Defaults of every server's limits (each server may change its own with /settings); 0 = no limit.
  USER_DAILY_IMAGES: limitInt(60),
  GUILD_DAILY_IMAGES: limitInt(600),
  GUILD_MONTHLY_BUDGET_USD: usd(100, 1_000_000),
  MAX_ACTIVE_JOBS_PER_GUILD: limitInt(10, 10_000),
};

export const botEnvSchema = z.object({
  DISCORD_TOKEN: nonEmpty,
  DISCORD_APPLICATION_ID: z
    .string()
    .trim()
    .regex(/^\d{15,21}$/, 'expected a Discord snowflake (digits only)'),
  DISCORD_API_URL: httpUrl.optional(),
  DEV_GUILD_ID: z
    .string()
    .trim()
    .regex(/^\d{15,21}$/, 'expected a Discord snowflake (digits only)')
    .optional(),
  /** Whether members may generate in DMs (charged to a server they share with the bot), for servers that have not chosen. */
  ALLOW_DMS: boolean(true),
  /** Per member: time after a command (and, apart, after a button) before the next is served; 0 = none. */
  COMMAND_COOLDOWN: durationMs.prefault('2s'),
  ...runcomfyEnvShape,
  ...engineEnvShape,
});

export const cliEnvSchema = z.object(runcomfyEnvShape);
export const engineOnlyEnvSchema = z.object({ ...runcomfyEnvShape, ...engineEnvShape });

export type BotEnv = z.infer<typeof botEnvSchema>;
export type CliEnv = z.infer<typeof cliEnvSchema>;
export type EngineEnv = z.infer<typeof engineOnlyEnvSchema>;

export type EnvSource = Record<string, string | undefined>;

/** Thrown when the environment does not fit; `problems` has one line per bad variable. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses `source` with `schema`; empty strings count as unset so `.env` files can leave blanks. */
export function parseEnv<S extends z.ZodType>(schema: S, source: EnvSource): z.infer<S> {
  const cleaned: EnvSource = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '(environment)');
    if (problems.has(name)) continue;
    const missing = issue.code === 'invalid_type' && cleaned[name] === undefined;
    problems.set(name, missing ? `${name} is missing` : `${name} is invalid: ${issue.message}`);
  }
  throw new EnvError([...problems.values()]);
}

/** Loads `./.env` into the environment when it exists (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  const before = { ...process.env };
  process.loadEnvFile(path);
  Object.assign(process.env, before);
}

// The only place process.env is read.
export const loadBotEnv = (source: EnvSource = process.env): BotEnv => parseEnv(botEnvSchema, source);
export const loadCliEnv = (source: EnvSource = process.env): CliEnv => parseEnv(cliEnvSchema, source);
export const loadEngineEnv = (source: EnvSource = process.env): EngineEnv => parseEnv(engineOnlyEnvSchema, source);
