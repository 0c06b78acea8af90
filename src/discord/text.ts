/** Text that goes into Discord messages: escaped so a prompt can never format, ping or break out. */
import { escapeMarkdown } from 'discord.js';

/** Escapes markdown and neutralises mentions (allowedMentions is empty too: belt and braces). */
export function escapeUserText(text: string): string {
  return escapeMarkdown(text)
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
  const filled = Math.max(0, Math.min(cells, Math.round(fraction * cells)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(cells - filled)}`;
}

/** Nobody is ever pinged by the bot. */
export const NO_MENTIONS = { parse: [] as never[] } as const;

/** US$ amounts: two decimals, more only for fractions of a cent (0.035 → "0.035", 1.5 → "1.50"). */
export function formatUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 1) return usd.toFixed(2);
  return usd.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1');
}
