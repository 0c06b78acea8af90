/** What the page reads from the emulators' control APIs, parsed with zod at the edge. */
import { z } from 'zod';

const choice = z.looseObject({
  name: z.string(),
  name_localizations: z.record(z.string(), z.string()).nullish(),
  value: z.union([z.string(), z.number()]),
});

export interface CommandOption {
  type: number;
  name: string;
  description: string;
  name_localizations?: Record<string, string> | null | undefined;
  description_localizations?: Record<string, string> | null | undefined;
  required?: boolean | undefined;
  autocomplete?: boolean | undefined;
  choices?: z.infer<typeof choice>[] | undefined;
  min_value?: number | undefined;
  max_value?: number | undefined;
  min_length?: number | undefined;
  max_length?: number | undefined;
  channel_types?: number[] | undefined;
  options?: CommandOption[] | undefined;
}

const commandOption: z.ZodType<CommandOption> = z.lazy(() =>
  z.looseObject({
    type: z.number(),
    name: z.string(),
    description: z.string(),
    name_localizations: z.record(z.string(), z.string()).nullish(),
    description_localizations: z.record(z.string(), z.string()).nullish(),
    required: z.boolean().optional(),
    autocomplete: z.boolean().optional(),
    choices: z.array(choice).optional(),
    min_value: z.number().optional(),
    max_value: z.number().optional(),
    min_length: z.number().optional(),
    max_length: z.number().optional(),
    channel_types: z.array(z.number()).optional(),
    options: z.array(commandOption).optional(),
  }),
);

export const commandSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  name_localizations: z.record(z.string(), z.string()).nullish(),
  description_localizations: z.record(z.string(), z.string()).nullish(),
  options: z.array(commandOption).optional(),
  contexts: z.array(z.number()).nullish(),
  dm_permission: z.boolean().nullish(),
});
export type Command = z.infer<typeof commandSchema>;

export const worldSchema = z.object({
  applicationId: z.string(),
  botUser: z.looseObject({ id: z.string(), username: z.string() }),
  guilds: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      ownerId: z.string(),
      locale: z.string(),
      channels: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          type: z.number(),
          parentId: z.string().nullable(),
          topic: z.string().nullable(),
          tags: z.array(z.string()),
        }),
      ),
      roles: z.array(z.object({ id: z.string(), name: z.string(), color: z.number(), permissions: z.string() })),
      members: z.array(
        z.object({
          userId: z.string(),
          username: z.string(),
          globalName: z.string().nullable(),
          nick: z.string().nullable(),
          roles: z.array(z.string()),
        }),
      ),
    }),
  ),
  dms: z.array(z.object({ id: z.string(), recipientId: z.string().nullable() })),
  commands: z.object({ global: z.array(commandSchema), guilds: z.record(z.string(), z.array(commandSchema)) }),
});
export type World = z.infer<typeof worldSchema>;
export type Guild = World['guilds'][number];
export type Channel = Guild['channels'][number];

/** A wire message; only what the page reads is typed, the rest passes through. */
export const apiMessageSchema = z.looseObject({
  id: z.string(),
  channel_id: z.string(),
  content: z.string().default(''),
  author: z.looseObject({
    id: z.string(),
    username: z.string(),
    global_name: z.string().nullish(),
    bot: z.boolean().optional(),
  }),
  timestamp: z.string(),
  edited_timestamp: z.string().nullish(),
  flags: z.number().optional(),
  embeds: z.array(z.record(z.string(), z.unknown())).default([]),
  attachments: z
    .array(
      z.looseObject({
        id: z.string(),
        filename: z.string(),
        url: z.string(),
        content_type: z.string().nullish(),
        width: z.number().nullish(),
        height: z.number().nullish(),
        size: z.number().optional(),
      }),
    )
    .default([]),
  components: z.array(z.record(z.string(), z.unknown())).default([]),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export const messageViewSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  guildId: z.string().nullable(),
  ephemeral: z.boolean(),
  loading: z.boolean(),
  deleted: z.boolean(),
  interactionId: z.string().nullable(),
  recipientId: z.string().nullable(),
  editCount: z.number(),
  data: apiMessageSchema,
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const messageEventSchema = z.object({
  op: z.enum(['create', 'update', 'delete']),
  message: messageViewSchema,
});

export const interactionEventSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  userId: z.string(),
  channelId: z.string(),
  response: z.object({ type: z.number(), data: z.record(z.string(), z.unknown()).nullable() }).nullable(),
});
export type InteractionEvent = z.infer<typeof interactionEventSchema>;

export const choicesSchema = z.object({
  id: z.string(),
  choices: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })),
});

export const runcomfyStateSchema = z.object({
  timing: z.object({ queueMs: z.number().nullable(), baseRunMs: z.number(), perImageMs: z.number() }),
  jobs: z.array(
    z.looseObject({
      requestId: z.string(),
      index: z.number(),
      state: z.string(),
      outcome: z.string(),
      imagesReturned: z.number(),
      submittedAt: z.number(),
      startedAt: z.number(),
      completedAt: z.number(),
      faults: z.array(z.string()),
      input: z.looseObject({ text: z.string(), sequential_image_generation_options: z.number() }),
    }),
  ),
  faults: z.array(z.looseObject({ kind: z.string(), remaining: z.number(), route: z.string().optional() })),
  calls: z.array(
    z.looseObject({
      at: z.number(),
      method: z.string(),
      route: z.string(),
      status: z.number(),
      fault: z.string().optional(),
    }),
  ),
  totalCalls: z.number(),
});
export type RunComfyState = z.infer<typeof runcomfyStateSchema>;

export const LOCALES = ['en-US', 'zh-TW', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
