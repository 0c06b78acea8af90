/** Types for the schemas this emulator takes from `discord-api-spec/zod` (the package ships JS only). */
declare module 'discord-api-spec/zod' {
  import type { ZodMiniType } from 'zod/mini';

  type Schema = ZodMiniType<unknown, unknown>;
  export const setStrictObject: (strict: boolean) => void;
  export const MessageCreateRequestSchema: Schema;
  export const MessageEditRequestPartialSchema: Schema;
  export const IncomingWebhookRequestPartialSchema: Schema;
  export const IncomingWebhookUpdateRequestPartialSchema: Schema;
  export const CreateMessageInteractionCallbackRequestSchema: Schema;
  export const UpdateMessageInteractionCallbackRequestSchema: Schema;
  export const ApplicationCommandAutocompleteCallbackRequestSchema: Schema;
  export const ModalInteractionCallbackRequestSchema: Schema;
  export const LaunchActivityInteractionCallbackRequestSchema: Schema;
  export const PongInteractionCallbackRequestSchema: Schema;
  export const ApplicationCommandCreateRequestSchema: Schema;
  export const ApplicationCommandUpdateRequestSchema: Schema;
  export const ApplicationCommandPatchRequestPartialSchema: Schema;
  export const CreateForumThreadRequestSchema: Schema;
  export const CreateTextThreadWithoutMessageRequestSchema: Schema;
  export const CreateTextThreadWithMessageRequestSchema: Schema;
  export const UpdateGuildChannelRequestPartialSchema: Schema;
  export const UpdateThreadRequestPartialSchema: Schema;
  export const UpdateDMRequestPartialSchema: Schema;
  export const CreatePrivateChannelRequestSchema: Schema;
  export const MessageResponseSchema: Schema;
  export const InteractionCallbackResponseSchema: Schema;
  export const ApplicationCommandResponseSchema: Schema;
  export const CreatedThreadResponseSchema: Schema;
  export const ThreadResponseSchema: Schema;
  export const ThreadsResponseSchema: Schema;
  export const GuildChannelResponseSchema: Schema;
  export const PrivateChannelResponseSchema: Schema;
  export const UserPIIResponseSchema: Schema;
  export const UserResponseSchema: Schema;
  export const MyGuildResponseSchema: Schema;
  export const GuildWithCountsResponseSchema: Schema;
  export const GuildRoleResponseSchema: Schema;
  export const GuildMemberResponseSchema: Schema;
  export const GatewayResponseSchema: Schema;
  export const GatewayBotResponseSchema: Schema;
  export const PrivateApplicationResponseSchema: Schema;
}
