/**
 * A button action, in the spirit of Sapphire's InteractionHandler: one file under
 * src/discord/actions/ per action. It names itself, builds and parses its own custom_id (a
 * value, or undefined when the id is not its own), checks who may act, and runs. The router
 * asks each action of index.ts in turn; the first that parses the click runs it.
 *
 * An action may also answer the submit of a modal it showed (kind 'modal', e.g. Remix's form):
 * the router hands a modal submit only to modal actions and a click only to button actions, so
 * a forged click can never reach a submit's handling (or the reverse).
 *
 * Custom_ids are versioned and tiny, `sd1:<action>:<arg>`: never JSON, never state. Everything
 * a button needs is in the store under its arg (a job id, a browser id), so buttons keep
 * working after restarts; a format once shipped never changes (messages in servers keep it).
 */
import {
  type ButtonInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { type PlainMessageKey, resolveLocale, t } from '../../i18n/index.js';
import type { BotContext } from '../context.js';

export const CUSTOM_ID_VERSION = 'sd1';

/** A check's answer: go on with `allowed`, or tell the clicker (privately) why not. */
export type Verdict<Subject> = { allowed: Subject } | { refused: PlainMessageKey; about?: Record<string, unknown> };

/** What an action answers: a button click, or the submit of a modal. */
interface InteractionOf {
  button: ButtonInteraction;
  modal: ModalSubmitInteraction;
  /** A choice in a string select under a result (Vary). */
  select: StringSelectMenuInteraction;
}
export type ActionKind = keyof InteractionOf;
export type ActionInteraction = InteractionOf[ActionKind];

export interface ButtonAction<Value, Subject, Kind extends ActionKind = 'button'> {
  /** The `<action>` of its custom_ids. */
  readonly name: string;
  /** What it answers (absent: a button click). */
  readonly kind?: Kind;
  /** Whether a click takes a turn of the member's button cooldown (see router.ts). */
  readonly cooldown: boolean;
  parse(customId: string): Value | undefined;
  /** Who may act, and on what: a forged custom_id can name anything, from anywhere. */
  check(interaction: InteractionOf[Kind], context: BotContext, value: Value): Promise<Verdict<Subject>>;
  run(interaction: InteractionOf[Kind], context: BotContext, subject: Subject): Promise<void>;
}

/** An action with its own types hidden, so that the router can hold a list of different ones. */
export interface Action {
  readonly name: string;
  readonly kind: ActionKind;
  readonly cooldown: boolean;
  /**
   * The handling of this custom_id, or undefined when it is not this action's. The router
   * passes only interactions of the action's `kind`.
   */
  bind(customId: string): ((interaction: ActionInteraction, context: BotContext) => Promise<void>) | undefined;
}

export function defineAction<Value, Subject, Kind extends ActionKind = 'button'>(
  action: ButtonAction<Value, Subject, Kind>,
): ButtonAction<Value, Subject, Kind> & Action {
  return {
    ...action,
    // Only a modal action names its kind; Kind is then that kind, else the default 'button'.
    kind: (action.kind ?? 'button') as Kind,
    bind(customId) {
      const value = action.parse(customId);
      if (value === undefined) return undefined;
      return async (any, context) => {
        const interaction = any as InteractionOf[Kind];
        const verdict = await action.check(interaction, context, value);
        if ('allowed' in verdict) return action.run(interaction, context, verdict.allowed);
        context.log.info(
          { ...verdict.about, by: interaction.user.id, refusal: verdict.refused },
          `${action.name} refused`,
        );
        const locale = resolveLocale(interaction.locale, interaction.guildLocale);
        await interaction.reply({ content: t(locale, verdict.refused), flags: MessageFlags.Ephemeral });
      };
    },
  };
}

/** Job ids as they appear in custom_ids (see newJobId in engine/job.ts). */
const JOB_ID = /^[a-z0-9-]{1,64}$/;

/** `sd1:<action>:<jobId>`, the custom_id of a button acting on one job. */
export function jobCustomId(action: string, jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new Error(`job id not usable in a custom_id: ${jobId}`);
  return `${CUSTOM_ID_VERSION}:${action}:${jobId}`;
}

/** The job id of `sd1:<action>:<jobId>`, when `raw` is one for `action`. */
export function parseJobCustomId(action: string, raw: string): string | undefined {
  const parts = raw.split(':');
  if (parts.length !== 3 || parts[0] !== CUSTOM_ID_VERSION || parts[1] !== action) return undefined;
  return JOB_ID.test(parts[2]!) ? parts[2] : undefined;
}
