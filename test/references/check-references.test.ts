/**
 * Reference checks against a real HTTP server on 127.0.0.1 (port 0): each refusal is an
 * InputError naming the attachment, and nothing large is ever downloaded.
 */
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { isPublicReferenceUrl } from '../../src/models/image-output.js';
import { checkReferences } from '../../src/references/check-references.js';
import { checkReferencesOffline, checkSignature } from '../../src/references/reference-rules.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const MB = 1024 * 1024;
let png: Buffer;
let jpeg: Buffer;
let webp: Buffer;
let server: LocalServer;
/** Per path: what the server was asked and how many body bytes it wrote. */
let seen: Array<{ path: string; range: string | undefined }>;
let written: Record<string, number>;

/** Writes `total` bytes of `fill` in 1 MB chunks, each only when the socket wants more (never all at once). */
function streamLazily(res: ServerResponse, path: string, total: number, first: Buffer) {
  const chunk = Buffer.alloc(MB, 0x41);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const piece = sent === 0 ? first : chunk.subarray(0, Math.min(MB, total - sent));
      sent += piece.length;
      written[path] = sent;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

beforeAll(async () => {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } });
  [png, jpeg, webp] = await Promise.all([
    image.clone().png().toBuffer(),
    image.clone().jpeg().toBuffer(),
    image.clone().webp().toBuffer(),
  ]);
  server = await startLocalServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, range: req.headers.range });
    const ranged = (body: Buffer, type: string) => {
      // A server that honours the range, as Discord's CDN does.
      const head = body.subarray(0, 16);
      res.writeHead(206, {
        'content-type': type,
        'content-range': `bytes 0-${head.length - 1}/${body.length}`,
        'content-length': head.length,
      });
      written[path] = head.length;
      res.end(head);
    };
    switch (path) {
      case '/cat.png':
        return ranged(png, 'image/png');
      case '/cat.jpg':
        return ranged(jpeg, 'image/jpeg');
      case '/cat.webp':
        return ranged(webp, 'image/webp');
      case '/notes.png':
        // A text file renamed .png: the server (like a CDN) types it by its name.
        return ranged(Buffer.from('These are my notes, not an image at all.\n'), 'image/png');
      case '/notes.txt':
        return ranged(Buffer.from('plain text'), 'text/plain; charset=utf-8');
      case '/huge-declared.png':
        // 60 MB declared, range ignored: refused on the header, the body never read.
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 60 * MB });
        return streamLazily(res, path, 60 * MB, png);
      case '/huge-ranged.png':
        res.writeHead(206, { 'content-type': 'image/png', 'content-range': `bytes 0-15/${60 * MB}` });
        written[path] = 16;
        return res.end(png.subarray(0, 16));
      case '/huge-chunked.png':
        // No length at all: counted while it streams, cut off at the cap.
        res.writeHead(200, { 'content-type': 'image/png' });
        return streamLazily(res, path, 60 * MB, png);
      case '/small-chunked.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        return streamLazily(res, path, 2 * MB, png);
      case '/moved.png':
        res.writeHead(302, { location: '/cat.png' });
        return res.end();
      case '/slow.png':
        return; // never answers
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('not found');
    }
  });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  seen = [];
  written = {};
});

const ref = (path: string, extra: { name?: string; size?: number; contentType?: string } = {}) => ({
  url: `${server.url}${path}`,
  ...extra,
});
const LOOPBACK = { allowLoopback: true, timeoutMs: 5_000 };

async function refusal(run: Promise<unknown>): Promise<InputError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('checkReferences', () => {
  it('passes PNG, JPEG and WebP, asking only for their first bytes, and follows a redirect', async () => {
    await checkReferences([ref('/cat.png'), ref('/cat.jpg'), ref('/cat.webp'), ref('/moved.png')], 4, LOOPBACK);
    expect(seen.filter((s) => s.range !== 'bytes=0-15')).toEqual([]);
    expect(Object.values(written).every((bytes) => bytes <= 16)).toBe(true);
  });

  it('refuses a text file renamed .png, by its first bytes, naming the attachment', async () => {
    const error = await refusal(
      checkReferences([ref('/cat.png', { name: 'cat.png' }), ref('/notes.png', { name: 'notes.png' })], 2, LOOPBACK),
    );
    expect(error.code).toBe('reference_not_an_image');
    expect(error.params).toMatchObject({ reference: 'notes.png' });
    // And by its content type when the server says what it is.
    expect((await refusal(checkReferences([ref('/notes.txt')], 2, LOOPBACK))).params).toEqual({
      reference: '#1',
      type: 'text/plain',
    });
  });

  it('refuses a 60 MB image without downloading it, however its size is told', async () => {
    for (const path of ['/huge-declared.png', '/huge-ranged.png', '/huge-chunked.png']) {
      const error = await refusal(checkReferences([ref(path, { name: 'big.png' })], 2, LOOPBACK));
      expect(error.code, path).toBe('reference_too_large');
      expect(error.params, path).toEqual({
        reference: 'big.png',
        size: path === '/huge-chunked.png' ? expect.stringMatching(/^5\d(\.\d)?$/) : '60',
        max: '50',
      });
    }
    // A declared length: nothing beyond what was already in flight; no length: cut off at the cap.
    expect(written['/huge-declared.png']).toBeLessThan(10 * MB);
    expect(written['/huge-ranged.png']).toBe(16);
    expect(written['/huge-chunked.png']).toBeLessThan(60 * MB);
    // A size declared by the attachment (Discord's `size`): refused before any request.
    seen = [];
    const declared = await refusal(checkReferences([ref('/cat.png', { name: 'big.png', size: 60 * MB })], 2, LOOPBACK));
    expect(declared.code).toBe('reference_too_large');
    expect(seen).toEqual([]);
  });

  it('counts a small file of unknown length to its end and passes it', async () => {
    await checkReferences([ref('/small-chunked.png')], 2, LOOPBACK);
    expect(written['/small-chunked.png']).toBe(2 * MB);
  });

  it('refuses 4 references with count 12 (more than 15), before any request', async () => {
    const four = ['/cat.png', '/cat.jpg', '/cat.webp', '/cat.png'].map((p) => ref(p));
    const error = await refusal(checkReferences(four, 12, LOOPBACK));
    expect(error.code).toBe('references_count_over_limit');
    expect(error.params).toEqual({ references: 4, count: 12, max: 15, maxCount: 11 });
    expect(seen).toEqual([]);
    await checkReferences(four, 11, LOOPBACK);
  });

  it('refuses more than 4 references', async () => {
    const error = await refusal(
      checkReferences(
        Array.from({ length: 5 }, () => ref('/cat.png')),
        1,
        LOOPBACK,
      ),
    );
    expect(error).toMatchObject({ code: 'reference_too_many', params: { given: 5, max: 4 } });
    expect(seen).toEqual([]);
  });

  it('refuses a URL that answers 404, naming it by position when it has no name', async () => {
    const error = await refusal(checkReferences([ref('/cat.png'), ref('/gone.png')], 2, LOOPBACK));
    expect(error).toMatchObject({ code: 'reference_not_found', params: { reference: '#2' } });
  });

  it('a reference that never answers is unreachable after the timeout', async () => {
    const error = await refusal(
      checkReferences([ref('/slow.png', { name: 'slow.png' })], 1, { allowLoopback: true, timeoutMs: 300 }),
    );
    expect(error).toMatchObject({
      code: 'reference_unreachable',
      params: { reference: 'slow.png', reason: 'timeout' },
    });
  });

  it('refuses loopback and plain-HTTP URLs unless the model API is itself on loopback', async () => {
    const error = await refusal(checkReferences([ref('/cat.png', { name: 'cat.png' })], 1));
    expect(error).toMatchObject({ code: 'reference_not_public_url', params: { reference: 'cat.png' } });
    expect(seen).toEqual([]);
    expect(isPublicReferenceUrl('https://cdn.discordapp.com/attachments/1/2/a.png?ex=1')).toBe(true);
    for (const url of [
      'http://example.com/a.png',
      'https://u:p@example.com/a.png',
      'ftp://example.com/a.png',
      '/home/me/a.png',
      'https://localhost/a.png',
    ]) {
      expect(isPublicReferenceUrl(url), url).toBe(false);
    }
  });
});

describe('reference rules without the network', () => {
  it('declared types other than PNG, JPEG and WebP are refused', () => {
    expect(() =>
      checkReferencesOffline([{ url: 'https://x.test/a.gif', name: 'a.gif', contentType: 'image/gif' }], 1),
    ).toThrow(
      expect.objectContaining({ code: 'reference_not_an_image', params: { reference: 'a.gif', type: 'image/gif' } }),
    );
    expect(() =>
      checkReferencesOffline([{ url: 'https://x.test/a.png', contentType: 'image/png', size: 1000 }], 1),
    ).not.toThrow();
  });

  it('signatures: PNG, JPEG and WebP pass; GIF, text and a bare RIFF do not', () => {
    expect(() => checkSignature(png.subarray(0, 16), 'a')).not.toThrow();
    expect(() => checkSignature(jpeg.subarray(0, 16), 'a')).not.toThrow();
    expect(() => checkSignature(webp.subarray(0, 16), 'a')).not.toThrow();
    for (const bytes of [
      Buffer.from('GIF89a\x01\x00\x01\x00'),
      Buffer.from('hello world!!!!!'),
      Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt '),
      Buffer.alloc(0),
    ]) {
      expect(() => checkSignature(bytes, 'a')).toThrow(expect.objectContaining({ code: 'reference_not_an_image' }));
    }
  });
});
