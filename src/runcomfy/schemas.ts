/**
 * zod schemas of every RunComfy answer. Unknown extra fields are dropped; missing or
 * mistyped documented fields make the answer "unexpected". Status values are kept as
 * strings: RunComfy (and clients in the wild) know more states than the documented ones.
 */
import { z } from 'zod';

const requestId = z.string().min(1);
const optionalTimestamp = z.string().nullish();

export const submitResponseSchema = z.object({
  request_id: requestId,
  status_url: z.string().optional(),
  result_url: z.string().optional(),
  cancel_url: z.string().optional(),
});

export const KNOWN_STATUSES = ['in_queue', 'in_progress', 'completed', 'cancelled'] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

export const statusResponseSchema = z.object({
  request_id: requestId,
  status: z.string().min(1),
  queue_position: z.number().int().min(0).nullish(),
  status_url: z.string().optional(),
  result_url: z.string().optional(),
  instance_id: z.string().nullish(),
});

export const KNOWN_RESULT_STATUSES = ['succeeded', 'failed', 'in_queue', 'in_progress', 'cancelled'] as const;

export const resultResponseSchema = z.object({
  request_id: requestId,
  status: z.string().min(1),
  // Parsed by the model's own output parser (src/models/image-output.ts).
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  cost: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .nullish(),
  created_at: optionalTimestamp,
  finished_at: optionalTimestamp,
});

export const cancelResponseSchema = z.object({
  request_id: requestId,
  status: z.string().optional(),
  outcome: z.enum(['cancelled', 'not_cancellable']),
});

export const modelInfoSchema = z.object({
  model_id: z.string().optional(),
  name: z.string().optional(),
  base_price_usd: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .nullish(),
  price_unit: z.string().nullish(),
  pricing_note: z.string().nullish(),
});

/** What an error answer may carry (any of these fields, any of them missing). */
export const errorBodySchema = z.object({
  error_code: z.union([z.number(), z.string()]).optional(),
  error_message: z.string().optional(),
  message: z.string().optional(),
  error: z.unknown().optional(),
  detail: z.unknown().optional(),
});

export type SubmitResponse = z.infer<typeof submitResponseSchema>;
export type StatusResponse = z.infer<typeof statusResponseSchema>;
export type ResultResponse = z.infer<typeof resultResponseSchema>;
export type CancelResponse = z.infer<typeof cancelResponseSchema>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
