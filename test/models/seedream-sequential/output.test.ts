import { describe, expect, it } from 'vitest';
import { AppError, InputError } from '../../../src/errors.js';
import { checkImageUrl, describeCount, isHostAllowed, isLoopbackHost } from '../../../src/models/image-output.js';
import { seedreamSequential } from '../../../src/models/seedream-sequential/model.js';

const HOSTS = ['*.runcomfy.net', '*.runcomfy.com', '127.0.0.1', 'localhost', '[::1]'];
const cdn = (n: number) => `https://cdn.runcomfy.net/out/${n}.jpg`;

function caught(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('checkImageUrl', () => {
  it.each([
    ['https://cdn.runcomfy.net/a.jpg', 'https://cdn.runcomfy.net/a.jpg'],
    ['https://a.b.runcomfy.com/x.png?sig=1', 'https://a.b.runcomfy.com/x.png?sig=1'],
    ['HTTPS://CDN.RunComfy.NET/a.jpg', 'https://cdn.runcomfy.net/a.jpg'],
    ['https://cdn.runcomfy.net./a.jpg', 'https://cdn.runcomfy.net./a.jpg'],
    ['https://ｃｄｎ.runcomfy.net/a.jpg', 'https://cdn.runcomfy.net/a.jpg'],
    ['https://cdn.runcomfy.net:443/a.jpg', 'https://cdn.runcomfy.net/a.jpg'],
    ['http://127.0.0.1:8080/a.png', 'http://127.0.0.1:8080/a.png'],
    ['http://0x7f.1/a.png', 'http://127.0.0.1/a.png'],
    ['http://localhost:3000/a.png', 'http://localhost:3000/a.png'],
    ['http://[::1]:3000/a.png', 'http://[::1]:3000/a.png'],
    ['http://[0:0:0:0:0:0:0:1]/a.png', 'http://[::1]/a.png'],
  ])('allows %s', (raw, normalised) => {
    expect(checkImageUrl(raw, HOSTS)).toEqual({ ok: true, url: normalised });
  });

  it.each([
    ['https://runcomfy.net/a.jpg', 'host_not_allowed'], // the apex is not a subdomain
    ['https://evilruncomfy.net/a.jpg', 'host_not_allowed'],
    ['https://evil-runcomfy.net/a.jpg', 'host_not_allowed'],
    ['https://runcomfy.net.evil.com/a.jpg', 'host_not_allowed'],
    ['https://cdn.runcomfy.net.evil.com/a.jpg', 'host_not_allowed'],
    ['https://cdn.runcomfy.net%2eevil.com/a.jpg', 'host_not_allowed'],
    ['https://cdn.runcоmfy.net/a.jpg', 'host_not_allowed'], // Cyrillic о
    ['https://evil.com/#@cdn.runcomfy.net', 'host_not_allowed'],
    ['https://evil.com/?next=https://cdn.runcomfy.net/a.jpg', 'host_not_allowed'],
    ['https://runcomfy.org/a.jpg', 'host_not_allowed'],
    ['https://cdn.runcomfy.net@evil.com/a.jpg', 'credentials_in_url'],
    ['https://user:pass@cdn.runcomfy.net/a.jpg', 'credentials_in_url'],
    ['http://cdn.runcomfy.net/a.jpg', 'http_not_loopback'],
    ['http://10.0.0.1/a.png', 'http_not_loopback'],
    // Another port of an allowed host is another service (Redis, an admin panel…).
    ['https://x.runcomfy.net:6379/', 'port_not_allowed'],
    ['https://cdn.runcomfy.net:8443/a.jpg', 'port_not_allowed'],
    ['http://localhost.evil.com/a.png', 'http_not_loopback'],
    ['http://127.0.0.2/a.png', 'host_not_allowed'], // loopback, but not on the allow-list
    ['ftp://cdn.runcomfy.net/a.jpg', 'scheme_not_allowed'],
    ['data:image/png;base64,iVBORw0KGgo=', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['not a url', 'invalid_url'],
    ['/relative/a.png', 'invalid_url'],
    ['', 'invalid_url'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(checkImageUrl(raw, HOSTS)).toEqual({ ok: false, reason });
  });
});

describe('isHostAllowed / isLoopbackHost', () => {
  it('matches exact hosts and wildcard subdomains case-insensitively', () => {
    expect(isHostAllowed('cdn.runcomfy.net', ['CDN.RunComfy.NET'])).toBe(true);
    expect(isHostAllowed('x.cdn.runcomfy.net', ['cdn.runcomfy.net'])).toBe(false);
    expect(isHostAllowed('A.RUNCOMFY.NET', ['*.runcomfy.net'])).toBe(true);
    expect(isHostAllowed('runcomfy.net', ['*.runcomfy.net', 'runcomfy.net'])).toBe(true);
    expect(isHostAllowed('evilruncomfy.net', ['*.runcomfy.net'])).toBe(false);
  });

  it('never treats "*" or an empty list as "anything"', () => {
    expect(isHostAllowed('evil.com', ['*'])).toBe(false);
    expect(isHostAllowed('evil.com', ['*.'])).toBe(false);
    expect(isHostAllowed('evil.com', [''])).toBe(false);
    expect(isHostAllowed('evil.com', [])).toBe(false);
  });

  it('knows loopback', () => {
    for (const host of ['localhost', '127.0.0.1', '127.255.0.9', '[::1]', '::1'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', 'localhost.evil.com', '127.0.0.1.evil.com', '::2'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('parseOutput (Seedream sequential)', () => {
  it('reads { images: [...] }', () => {
    expect(
      seedreamSequential.parseOutput({ images: [cdn(1), cdn(2), cdn(3)] }, { requested: 3, allowedHosts: HOSTS }),
    ).toEqual({
      urls: [cdn(1), cdn(2), cdn(3)],
      requested: 3,
      received: 3,
      partial: false,
      rejected: [],
      rejectedCount: 0,
    });
  });

  it('keeps at most the requested count of a huge list, in linear time', () => {
    const images = Array.from({ length: 10_000 }, (_, i) => cdn(i));
    const parsed = seedreamSequential.parseOutput({ images }, { requested: 4, allowedHosts: HOSTS });
    expect(parsed.urls).toEqual([cdn(0), cdn(1), cdn(2), cdn(3)]);
    expect(parsed).toMatchObject({ received: 4, partial: false, rejectedCount: 9_996 });
    expect(parsed.rejected.length).toBeLessThanOrEqual(20);
    // With no count known (the CLI's result command), the model's maximum: 15.
    expect(seedreamSequential.parseOutput({ images }, { requested: 0, allowedHosts: HOSTS }).urls).toHaveLength(15);
  });

  it('de-duplicates in linear time', () => {
    // 20,000 distinct URLs: an array's includes per URL took 0.7 s here.
    const images = Array.from({ length: 20_000 }, (_, i) => cdn(i));
    const started = performance.now();
    const parsed = seedreamSequential.parseOutput({ images }, { requested: 15, allowedHosts: HOSTS });
    expect(performance.now() - started).toBeLessThan(250);
    expect(parsed.urls).toHaveLength(15);
    const repeated = Array.from({ length: 20_000 }, (_, i) => cdn(i % 3));
    expect(seedreamSequential.parseOutput({ images: repeated }, { requested: 15, allowedHosts: HOSTS })).toMatchObject({
      urls: [cdn(0), cdn(1), cdn(2)],
      rejectedCount: 19_997,
    });
  });

  it('reports fewer than requested as partial', () => {
    const parsed = seedreamSequential.parseOutput({ images: [cdn(1), cdn(2)] }, { requested: 5, allowedHosts: HOSTS });
    expect(parsed).toMatchObject({ received: 2, requested: 5, partial: true });
  });

  it('reads { image: "…" }', () => {
    expect(seedreamSequential.parseOutput({ image: cdn(1) }, { requested: 1, allowedHosts: HOSTS })).toMatchObject({
      urls: [cdn(1)],
      received: 1,
      partial: false,
    });
  });

  it('tolerates { url } items and ignores unrelated keys', () => {
    const parsed = seedreamSequential.parseOutput(
      { images: [{ url: cdn(1), content_type: 'image/jpeg' }, cdn(2)], video: null, seed: 7 },
      { requested: 2, allowedHosts: HOSTS },
    );
    expect(parsed.urls).toEqual([cdn(1), cdn(2)]);
  });

  it('drops duplicates (also between images and image)', () => {
    const parsed = seedreamSequential.parseOutput(
      { images: [cdn(1), cdn(1)], image: cdn(1) },
      { requested: 2, allowedHosts: HOSTS },
    );
    expect(parsed.urls).toEqual([cdn(1)]);
    expect(parsed.rejected).toEqual([
      { url: cdn(1), reason: 'duplicate' },
      { url: cdn(1), reason: 'duplicate' },
    ]);
    expect(parsed.partial).toBe(true);
  });

  it('keeps the good URLs and lists the refused ones', () => {
    const parsed = seedreamSequential.parseOutput(
      { images: [cdn(1), 'https://evil.com/x.png', 42, 'http://cdn.runcomfy.net/y.jpg'] },
      { requested: 4, allowedHosts: HOSTS },
    );
    expect(parsed.urls).toEqual([cdn(1)]);
    expect(parsed.received).toBe(1);
    expect(parsed.rejected).toEqual([
      { url: '42', reason: 'not_a_url_string' },
      { url: 'https://evil.com/x.png', reason: 'host_not_allowed' },
      { url: 'http://cdn.runcomfy.net/y.jpg', reason: 'http_not_loopback' },
    ]);
  });

  it('cuts huge refused values in the report', () => {
    const huge = `data:image/png;base64,${'A'.repeat(100_000)}`;
    const parsed = seedreamSequential.parseOutput({ images: [cdn(1), huge] }, { requested: 2, allowedHosts: HOSTS });
    expect(parsed.rejected[0]?.url.length).toBe(201);
    expect(parsed.rejected[0]?.reason).toBe('scheme_not_allowed');
  });

  it.each([
    ['no output', undefined, { requested: 3, rejected: 0 }],
    ['null output', null, { requested: 3, rejected: 0 }],
    ['no images key', {}, { requested: 3, rejected: 0 }],
    ['empty images', { images: [] }, { requested: 3, rejected: 0 }],
    [
      'every URL refused',
      { images: ['https://evil.com/a.png', 'http://cdn.runcomfy.net/b.png'] },
      { requested: 3, rejected: 2 },
    ],
  ])('%s → output_empty', (_name, output, params) => {
    const error = caught(() => seedreamSequential.parseOutput(output, { requested: 3, allowedHosts: HOSTS }));
    expect(error).not.toBeInstanceOf(InputError);
    expect(error.code).toBe('output_empty');
    expect(error.params).toEqual(params);
  });

  it.each([
    ['a string', cdn(1), 'not_an_object'],
    ['an array', [cdn(1)], 'not_an_object'],
    ['a number', 3, 'not_an_object'],
    ['images as a string', { images: cdn(1) }, 'images_not_array'],
    ['images as an object', { images: { 0: cdn(1) } }, 'images_not_array'],
    ['images of numbers', { images: [1, null, { href: cdn(1) }] }, 'images_not_strings'],
    ['image as a number', { image: 42 }, 'image_not_string'],
  ])('%s → output_malformed', (_name, output, reason) => {
    const error = caught(() => seedreamSequential.parseOutput(output, { requested: 3, allowedHosts: HOSTS }));
    expect(error.code).toBe('output_malformed');
    expect(error.params).toEqual({ reason });
  });
});

describe('describeCount', () => {
  it.each([
    [3, 5, { received: 3, requested: 5, missing: 2, extra: 0, partial: true }],
    [5, 5, { received: 5, requested: 5, missing: 0, extra: 0, partial: false }],
    [6, 5, { received: 6, requested: 5, missing: 0, extra: 1, partial: false }],
    [0, 1, { received: 0, requested: 1, missing: 1, extra: 0, partial: true }],
  ])('%i of %i', (received, requested, expected) => {
    expect(describeCount(received, requested)).toEqual(expected);
  });
});
