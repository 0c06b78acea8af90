/** Text that goes into Discord messages: escaped so a prompt can never format, ping or break out. */
import { escapeMarkdown } from 'discord.js';

/**
 * Bidi controls (embeddings, overrides, isolates, marks): U+202E can make a line read backwards
 * (a file "gnp.exe" shown as "exe.png"), so no member's text reaches a message with them.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** A member's text for places without markdown (titles, alt text, choices): no bidi controls. */
export function plainUserText(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/**
 * Escapes markdown, masked links and mentions (allowedMentions is empty too: belt and braces)
 * and drops bidi controls. Every bracket is escaped: discord.js's own maskedLink option leaves
 * a second link on the line, or one with a line break in its label, clickable.
 */
export function escapeUserText(text: string): string {
  return escapeMarkdown(plainUserText(text))
    .replace(/[[\]]/g, '\\$&')
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<(@[!&]?|#)(\d+)>/g, '<$1\u200b$2>');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A Discord timestamp that every client renders in its own time zone and keeps live. */
export function relativeTime(epochMs: number): string {
  return `<t:${Math.round(epochMs / 1000)}:R>`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** A text progress bar (10 cells). */
export function progressBar(fraction: number, cells = 10): string {
  // Rounded down: the bar is full only when the work is (an ETA capped at 95 % shows 9 of 10).
  const filled = Math.max(0, Math.min(cells, Math.floor(fraction * cells)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(cells - filled)}`;
}

/** Nobody is ever pinged by the bot. */
export const NO_MENTIONS = { parse: [] as never[] } as const;

/** US$ amounts: two decimals, more only for fractions of a cent (0.035 → "0.035", 1.5 → "1.50"). */
export function formatUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 1) return usd.toFixed(2);
  return usd.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1');
}
