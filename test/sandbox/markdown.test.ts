/** The page's Discord markdown: the constructs the bot uses become markup, everything else is escaped. */
import { describe, expect, it } from 'vitest';
import { formatTimestamp, type MarkdownContext, renderMarkdown } from '../../sandbox/web/markdown.js';

const ctx: MarkdownContext = {
  locale: 'en-US',
  userName: (id) => (id === '42' ? 'Alice' : undefined),
  channelName: (id) => (id === '7' ? 'general' : undefined),
  roleName: (id) => (id === '9' ? 'Moderators' : undefined),
};

describe('renderMarkdown', () => {
  it('escapes HTML from the wire, even inside markdown', () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)"> **<script>x</script>** `<b>`', ctx);
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;');
    expect(html).toContain('<strong>&#60;script&#62;x&#60;/script&#62;</strong>');
    expect(html).toContain('<code>&#60;b&#62;</code>');
  });

  it('renders bold, italics, underline, strike, code and links', () => {
    expect(renderMarkdown('**b** *i* _u2_ __u__ ~~s~~ `c`', ctx)).toBe(
      '<strong>b</strong> <em>i</em> <em>u2</em> <u>u</u> <s>s</s> <code>c</code>',
    );
    expect(renderMarkdown('[the set](https://example.test/a?b=1&c=2)', ctx)).toBe(
      '<a href="https://example.test/a?b=1&#38;c=2" target="_blank" rel="noreferrer">the set</a>',
    );
    // Only http(s) links become anchors.
    expect(renderMarkdown('[x](javascript:alert(1))', ctx)).not.toContain('<a');
    expect(renderMarkdown('**not `bold** inside` code', ctx)).toContain('<code>bold** inside</code>');
  });

  it('renders quotes, including ">>>" to the end', () => {
    expect(renderMarkdown('> one\nafter', ctx)).toBe('<blockquote>one</blockquote>after');
    expect(renderMarkdown('before\n>>> a\nb', ctx)).toBe('before<br><blockquote>a<br>b</blockquote>');
  });

  it('names mentions and formats timestamps', () => {
    const html = renderMarkdown('<@42> <@!42> <#7> <@&9> <@5>', ctx);
    expect(html).toBe(
      '<span class="mention">@Alice</span> <span class="mention">@Alice</span> <span class="mention">#general</span> <span class="mention">@Moderators</span> <span class="mention">@5</span>',
    );
    const unix = Date.UTC(2026, 0, 2, 3, 4) / 1000;
    expect(renderMarkdown(`ends <t:${unix}:R>`, ctx)).toMatch(
      new RegExp(`^ends <time class="ts" data-ts="${unix}" data-style="R">[^<]+</time>$`),
    );
    expect(formatTimestamp(unix, 'R', 'en-US', unix * 1000 - 90_000)).toBe('in 2 minutes');
    expect(formatTimestamp(unix, 'R', 'zh-TW', unix * 1000 + 3 * 3_600_000)).toBe('3 小時前');
  });
});
