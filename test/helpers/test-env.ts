/** The few variables tests read (the app itself reads the environment only in src/env.ts). */
import { z } from 'zod';

export const testEnv = z
  .object({
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//)
      .optional(),
  })
  .parse({ REDIS_URL: process.env.REDIS_URL || undefined });
