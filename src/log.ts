/**
 * Structured JSON logs (pino). Secrets never reach a log line: Authorization headers, tokens
 * and the environment's secret variables are redacted wherever they appear in a logged object,
 * in URLs and in text (see log-redaction.ts).
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';
import { LogRedactor, redactLogArguments } from './log-redaction.js';

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
  options: {
    level?: LoggerOptions['level'];
    name?: string;
    format?: 'json' | 'pretty';
    /** Values never to print, wherever they appear (the configured tokens). */
    secrets?: readonly (string | undefined)[];
  } = {},
  destination?: DestinationStream,
): Logger {
  const redactor = new LogRedactor(options.secrets);
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { name: options.name ?? 'seedream' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: {
      logMethod(args, method) {
        const safe = redactLogArguments(redactor, args, this.bindings()) as Parameters<typeof method>;
        method.apply(this, safe);
      },
    },
    // Errors are already plain objects (redactLogArguments): pino's own serializer would add "stack":"".
    serializers: { err: (value: unknown) => value },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), bindings: (bindings) => redactor.object(bindings) },
  };
  // Pretty is for a person at a terminal; collectors get JSON lines. Synchronous, so the last
  // lines before an exit are not lost.
  const out = options.format === 'pretty' ? pretty({ destination: destination ?? 1, sync: true }) : destination;
  return out ? pino(config, out) : pino(config);
}

/** A logger that discards everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
