/**
 * Discord's error answers: `{ code, message }` with the matching HTTP status; 50035 also
 * carries `errors`, a tree mirroring the request body whose leaves are `{ _errors: [...] }`.
 */
export interface FieldError {
  code: string;
  message: string;
}

export type ErrorTree = { [key: string]: ErrorTree } | { _errors: FieldError[] };

export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DiscordApiError';
  }

  toBody(): Record<string, unknown> {
    return this.errors
      ? { message: this.message, code: this.code, errors: this.errors }
      : { message: this.message, code: this.code };
  }
}

/** Collects field errors by path, then throws one 50035 like Discord does. */
export class FormErrors {
  private readonly root: Record<string, unknown> = {};
  private count = 0;

  add(path: ReadonlyArray<string | number>, code: string, message: string): void {
    let node = this.root;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    if (!node['_errors']) node['_errors'] = [];
    (node['_errors'] as FieldError[]).push({ code, message });
    this.count++;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  toError(): DiscordApiError {
    return new DiscordApiError(400, 50035, 'Invalid Form Body', this.root as ErrorTree);
  }

  throwIfAny(): void {
    if (this.count > 0) throw this.toError();
  }
}

/** The error answers the emulator gives, each as Discord words it. */
export const Errors = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordApiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordApiError(405, 0, '405: Method Not Allowed'),
  unknownChannel: () => new DiscordApiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordApiError(404, 10004, 'Unknown Guild'),
  unknownMember: () => new DiscordApiError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new DiscordApiError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordApiError(404, 10013, 'Unknown User'),
  unknownWebhook: () => new DiscordApiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordApiError(404, 10062, 'Unknown interaction'),
  unknownApplicationCommand: () => new DiscordApiError(404, 10063, 'Unknown application command'),
  unknownApplication: () => new DiscordApiError(404, 10002, 'Unknown Application'),
  maxAttachments: () => new DiscordApiError(400, 30015, 'Maximum number of attachments in a message reached (10)'),
  maxApplicationCommands: () => new DiscordApiError(400, 30032, 'Maximum number of application commands reached (100)'),
  requestTooLarge: () => new DiscordApiError(413, 40005, 'Request entity too large'),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new DiscordApiError(403, 50001, 'Missing Access'),
  cannotEditOthersMessage: () => new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordApiError(400, 50006, 'Cannot send an empty message'),
  cannotMessageUser: () => new DiscordApiError(403, 50007, 'Cannot send messages to this user'),
  nonTextChannel: () => new DiscordApiError(400, 50008, 'Cannot send messages in a non-text channel'),
  missingPermissions: () => new DiscordApiError(403, 50013, 'Missing Permissions'),
  invalidWebhookToken: () => new DiscordApiError(401, 50027, 'Invalid Webhook Token'),
  invalidFormBody: (path: string, code: string, message: string) => {
    const errors = new FormErrors();
    errors.add(path.split('.'), code, message);
    return errors.toError();
  },
  threadLocked: () => new DiscordApiError(403, 50083, 'Thread is archived'),
} as const;
