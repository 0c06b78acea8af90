/**
 * Structured JSON logs (pino). Secrets never reach a log line: Authorization headers, tokens
 * and the environment's secret variables are redacted wherever they appear in a logged object.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const REDACTED_PATHS = [
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'DISCORD_TOKEN',
  'RUNCOMFY_API_TOKEN',
  '*.DISCORD_TOKEN',
  '*.RUNCOMFY_API_TOKEN',
];

export function createLogger(
  options: { level?: LoggerOptions['level']; name?: string; format?: 'json' | 'pretty' } = {},
  destination?: DestinationStream,
): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { name: options.name ?? 'seedream' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  // Pretty is for a person at a terminal; collectors get JSON lines. Synchronous, so the last
  // lines before an exit are not lost.
  const out = options.format === 'pretty' ? pretty({ destination: destination ?? 1, sync: true }) : destination;
  return out ? pino(config, out) : pino(config);
}

/** A logger that discards everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
