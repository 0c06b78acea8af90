/**
 * Button custom_ids: versioned, tiny, parsed in one place. `sd1:<action>:<jobId>` — never
 * JSON, never state: everything a button needs is in the store under the job id, so buttons
 * keep working after restarts.
 */
export const CUSTOM_ID_VERSION = 'sd1';
// gprev/gnext: the gallery browser's pager; their arg is `<browser id>-<page>` (see gallery-browser.ts).
export const BUTTON_ACTIONS = ['cancel', 'reroll', 'delete', 'gprev', 'gnext'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

const JOB_ID = /^[a-z0-9-]{1,64}$/;

export function customId(action: ButtonAction, jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new Error(`job id not usable in a custom_id: ${jobId}`);
  return `${CUSTOM_ID_VERSION}:${action}:${jobId}`;
}

export function parseCustomId(raw: string): { action: ButtonAction; jobId: string } | undefined {
  const parts = raw.split(':');
  if (parts.length !== 3 || parts[0] !== CUSTOM_ID_VERSION) return undefined;
  const [, action, jobId] = parts as [string, string, string];
  if (!(BUTTON_ACTIONS as readonly string[]).includes(action) || !JOB_ID.test(jobId)) return undefined;
  return { action: action as ButtonAction, jobId };
}
