/**
 * The one reading of the environment. Nothing else in the bot reads `process.env`:
 * entry points call `loadBotEnv()` / `loadCliEnv()` and pass the typed result down.
 * A missing or malformed variable fails start-up with one message naming every bad variable.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Accepts `90000`, `90s`, `30m`, `1h`, `30d`, `500ms`; yields milliseconds. */
export const durationMs = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)?$/i, 'expected a duration such as 30m, 90s, 1h, 30d or a number of milliseconds')
  .transform((raw) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(raw)!;
    return Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!);
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
const modelId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._/-]*$/i, 'expected a model id such as bytedance/seedream-4-0/sequential');
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
  RUNCOMFY_MODEL_ID: modelId.default('bytedance/seedream-4-0/sequential'),
  /** The model a set made from reference images runs. */
  RUNCOMFY_EDIT_MODEL_ID: modelId.default('bytedance/seedream-4-0/edit-sequential'),
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
  /** Most bytes the copies of sets waiting to be posted may take on disk (beyond: kept in memory). */
  SPOOL_MAX_BYTES: positiveInt(2 * 1024 ** 3, 1024 ** 4),
  /** Free space the spool leaves on DATA_DIR's disk for the store (beyond: kept in memory). */
  SPOOL_MIN_FREE_BYTES: limitInt(256 * 1024 ** 2, 1024 ** 4),
  JOB_DEADLINE: durationMs.prefault('30m'),
  POLL_CONCURRENCY: positiveInt(8, 256),
  POLL_RATE: positiveInt(10, 1000),
  MAX_ACTIVE_JOBS_PER_USER: positiveInt(2, 100),
  HISTORY_LIMIT: positiveInt(50, 10_000),
  /** How long an ended job's record is kept (its result's buttons work that long). */
  JOB_RETENTION: durationMs.prefault('30d'),
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

const snowflake = z
  .string()
  .trim()
  .regex(/^\d{15,21}$/, 'expected a Discord snowflake (digits only)');

/** Where the bot reaches Discord: all `npm run deploy-commands` needs. */
export const discordEnvShape = {
  DISCORD_TOKEN: nonEmpty,
  DISCORD_APPLICATION_ID: snowflake,
  DISCORD_API_URL: httpUrl.optional(),
  DEV_GUILD_ID: snowflake.optional(),
};

export const botEnvSchema = z.object({
  ...discordEnvShape,
  /** Whether members may generate in DMs (charged to a server they share with the bot), for servers that have not chosen. */
  ALLOW_DMS: boolean(true),
  /** `json` (one object a line, for collectors) or `pretty` (a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Port of /healthz, /readyz and /metrics; 0 = no such server. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  /** Interface it listens on: loopback unless told otherwise (0.0.0.0 in a container). */
  METRICS_HOST: z
    .string()
    .trim()
    .regex(/^[0-9a-f.:]+$|^[a-z0-9.-]+$/i, 'expected an IP address or host name such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  /** How long a SIGTERM/SIGINT may take: deliveries finish or are parked, then the process exits. */
  SHUTDOWN_TIMEOUT: durationMs.prefault('20s'),
  /** Per member: time after a command (and, apart, after a button) before the next is served; 0 = none. */
  COMMAND_COOLDOWN: durationMs.prefault('2s'),
  ...runcomfyEnvShape,
  ...engineEnvShape,
});

export const cliEnvSchema = z.object(runcomfyEnvShape);
export const deployEnvSchema = z.object(discordEnvShape);
export const engineOnlyEnvSchema = z.object({ ...runcomfyEnvShape, ...engineEnvShape });

export type BotEnv = z.infer<typeof botEnvSchema>;
export type CliEnv = z.infer<typeof cliEnvSchema>;
export type EngineEnv = z.infer<typeof engineOnlyEnvSchema>;
export type DeployEnv = z.infer<typeof deployEnvSchema>;

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

/**
 * The dotenv file to load: `SEEDREAM_ENV_FILE` names it (a path, or `none` for no file at
 * all, which is how the tests keep a developer's own `.env` out), else `.env` in `cwd`.
 */
export function dotEnvPath(source: EnvSource = process.env, cwd = process.cwd()): string | undefined {
  const chosen = source['SEEDREAM_ENV_FILE']?.trim();
  if (chosen === undefined || chosen === '') return resolve(cwd, '.env');
  return chosen.toLowerCase() === 'none' ? undefined : resolve(cwd, chosen);
}

/** Loads the dotenv file (see `dotEnvPath`) when it exists; variables already set win. */
export function loadDotEnv(path: string | undefined = dotEnvPath()): void {
  if (path === undefined || !existsSync(path)) return;
  const before = { ...process.env };
  process.loadEnvFile(path);
  Object.assign(process.env, before);
}

/** The folder a person ran the command from: npm run moves to the package root, but says where it started. */
export function invocationDir(source: EnvSource = process.env, cwd = process.cwd()): string {
  const started = source['INIT_CWD']?.trim();
  return started && isAbsolute(started) ? started : cwd;
}

/** `npm run start:sharded`: the bot's settings, and how many gateway shards (processes) to run. */
export const shardedEnvSchema = botEnvSchema.extend({
  SHARD_COUNT: z
    .string()
    .trim()
    .regex(/^(auto|[1-9]\d*)$/, 'expected a whole number of shards or "auto"')
    .transform((v): number | 'auto' => (v === 'auto' ? 'auto' : Number(v)))
    .default('auto'),
});

// The only place process.env is read.
export const loadBotEnv = (source: EnvSource = process.env): BotEnv => parseEnv(botEnvSchema, source);
export const loadCliEnv = (source: EnvSource = process.env): CliEnv => parseEnv(cliEnvSchema, source);
export const loadDeployEnv = (source: EnvSource = process.env): DeployEnv => parseEnv(deployEnvSchema, source);
export const loadEngineEnv = (source: EnvSource = process.env): EngineEnv => parseEnv(engineOnlyEnvSchema, source);
export const loadShardedEnv = (source: EnvSource = process.env) => parseEnv(shardedEnvSchema, source);
