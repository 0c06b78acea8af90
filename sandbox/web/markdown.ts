/**
 * The small part of Discord's markdown the bot uses, rendered to HTML. Everything is escaped
 * first; only the constructs below produce markup, so text from the bot (or a member's prompt)
 * can never inject HTML.
 */

export interface MarkdownContext {
  /** Display name for <@id> mentions. */
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
  roleName(id: string): string | undefined;
  locale: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<t:unix:style>` as Discord shows it; R is kept live by the page (main.ts). */
export function formatTimestamp(unixSeconds: number, style: string, locale: string, now = Date.now()): string {
  const date = new Date(unixSeconds * 1000);
  if (style === 'R') {
    const diff = Math.round((date.getTime() - now) / 1000);
    const abs = Math.abs(diff);
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    if (abs < 60) return rtf.format(diff, 'second');
    if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
    if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
    return rtf.format(Math.round(diff / 86_400), 'day');
  }
  const options: Record<string, Intl.DateTimeFormatOptions> = {
    t: { timeStyle: 'short' },
    T: { timeStyle: 'medium' },
    d: { dateStyle: 'short' },
    D: { dateStyle: 'long' },
    f: { dateStyle: 'long', timeStyle: 'short' },
    F: { dateStyle: 'full', timeStyle: 'short' },
  };
  return new Intl.DateTimeFormat(locale, options[style] ?? options['f']).format(date);
}

function inline(escaped: string, ctx: MarkdownContext): string {
  // Code spans first, and kept away from the other rules.
  const codes: string[] = [];
  let text = escaped.replace(/`([^`\n]+)`/g, (_, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  text = text
    .replace(/&#60;t:(-?\d+)(?::([tTdDfFR]))?&#62;/g, (_, unix: string, style: string | undefined) => {
      const s = style ?? 'f';
      return `<time class="ts" data-ts="${unix}" data-style="${s}">${escapeHtml(formatTimestamp(Number(unix), s, ctx.locale))}</time>`;
    })
    .replace(
      /&#60;@!?(\d+)&#62;/g,
      (_, id: string) => `<span class="mention">@${escapeHtml(ctx.userName(id) ?? id)}</span>`,
    )
    .replace(
      /&#60;#(\d+)&#62;/g,
      (_, id: string) => `<span class="mention">#${escapeHtml(ctx.channelName(id) ?? id)}</span>`,
    )
    .replace(
      /&#60;@&#38;(\d+)&#62;/g,
      (_, id: string) => `<span class="mention">@${escapeHtml(ctx.roleName(id) ?? id)}</span>`,
    )
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noreferrer">$1</a>')
    .replace(/(^|[\s(])(https?:\/\/[^\s<]+)/g, '$1<a href="$2" target="_blank" rel="noreferrer">$2</a>')
    .replace(/\*\*\*([^*]+)\*\*\*/g, '<strong><em>$1</em></strong>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_]+)__/g, '<u>$1</u>')
    .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~([^~]+)~~/g, '<s>$1</s>')
    .replace(/\|\|([^|]+)\|\|/g, '<span class="spoiler">$1</span>');
  return text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)] ?? '');
}

/** Markdown → HTML (safe to assign to innerHTML). */
export function renderMarkdown(source: string, ctx: MarkdownContext): string {
  const blocks: string[] = [];
  const parts = source.split(/```(?:[\w-]*\n)?([\s\S]*?)```/g);
  parts.forEach((part, index) => {
    if (index % 2 === 1) {
      blocks.push(`<pre><code>${escapeHtml(part)}</code></pre>`);
      return;
    }
    const lines = part.split('\n');
    let html = '';
    let quote: string[] = [];
    const flushQuote = () => {
      if (quote.length > 0) html += `<blockquote>${quote.join('<br>')}</blockquote>`;
      quote = [];
    };
    let quoteRest = false;
    lines.forEach((line, i) => {
      // ">>> " quotes everything after it, to the end of the message.
      const block = /^>>>\s?(.*)$/.exec(line);
      if (block) quoteRest = true;
      if (quoteRest) {
        quote.push(inline(escapeHtml(block ? (block[1] ?? '') : line), ctx));
        return;
      }
      const quoted = /^>\s?(.*)$/.exec(line);
      if (quoted) {
        quote.push(inline(escapeHtml(quoted[1] ?? ''), ctx));
        return;
      }
      flushQuote();
      const heading = /^(#{1,3})\s+(.*)$/.exec(line);
      const subtext = /^-#\s+(.*)$/.exec(line);
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      if (heading) html += `<div class="h${heading[1]!.length}">${inline(escapeHtml(heading[2]!), ctx)}</div>`;
      else if (subtext) html += `<div class="subtext">${inline(escapeHtml(subtext[1]!), ctx)}</div>`;
      else if (bullet) html += `<div class="bullet">• ${inline(escapeHtml(bullet[1]!), ctx)}</div>`;
      else html += inline(escapeHtml(line), ctx) + (i < lines.length - 1 ? '<br>' : '');
    });
    flushQuote();
    blocks.push(html);
  });
  return blocks.join('');
}
