/**
 * discord.js throws a plain TypeError when a raw interaction lacks a required option or sends
 * one of the wrong type (only a modified client can): that is the member's input, not our bug.
 */
import { InputError } from '../errors.js';

const MISSING = 'CommandInteractionOptionNotFound';
const WRONG_TYPE = new Set(['CommandInteractionOptionType', 'CommandInteractionOptionEmpty']);

/** The input error an option failure stands for, or the error itself. */
export function asOptionError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(error instanceof Error)) return error;
  // The option's name is only in discord.js's message: `Required option "prompt" not found.`
  const option = /"([^"]{1,32})"/.exec(error.message)?.[1] ?? '?';
  if (code === MISSING) {
    return new InputError('option_missing', `The required option ${option} is missing`, {
      params: { option },
      cause: error,
    });
  }
  if (WRONG_TYPE.has(code)) {
    return new InputError('option_invalid', `The option ${option} has the wrong type`, {
      params: { option },
      cause: error,
    });
  }
  return error;
}
