import type { IncomingHttpHeaders } from 'node:http';
import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MultipartBody, multipartRequest, sendRestRequest } from '../../src/discord/multipart.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

/** Reads the body back with undici's own multipart parser (the fetch Response), not ours. */
async function parse(request: ReturnType<typeof multipartRequest>): Promise<FormData> {
  const headers = request.headers as Record<string, string>;
  const body = (request.body as MultipartBody).toBuffer();
  return new Response(body, { headers: { 'content-type': headers['Content-Type']! } }).formData();
}

describe('multipartRequest', () => {
  it('carries payload_json and every file, byte for byte, under files[i]', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0xd9]); // CR LF "--" inside
    const png = Buffer.alloc(70_000, 7);
    const request = multipartRequest({ embeds: [{ title: '1/2 ✓ 燈塔' }], nonce: 'n' }, [
      { name: 'a.jpg', data: jpeg, contentType: 'image/jpeg' },
      { name: 'b "quoted"\r\n.png', data: png.subarray(10), contentType: 'image/png' },
    ]);
    expect(request.passThroughBody).toBe(true);
    const form = await parse(request);
    expect(JSON.parse(String(form.get('payload_json')))).toEqual({ embeds: [{ title: '1/2 ✓ 燈塔' }], nonce: 'n' });
    const first = form.get('files[0]') as File;
    expect(first.name).toBe('a.jpg');
    expect(first.type).toBe('image/jpeg');
    expect(Buffer.from(await first.arrayBuffer())).toEqual(jpeg);
    const second = form.get('files[1]') as File;
    expect(second.type).toBe('image/png');
    // Quotes and line breaks are percent-encoded in the header, so they cannot break it.
    expect(second.name).toBe('b "quoted"\r\n.png');
    expect(Buffer.from(await second.arrayBuffer())).toEqual(png.subarray(10));
  });

  it("sends a file given as pieces byte for byte, and the files' own buffers, not copies", async () => {
    const pieces = [Buffer.from([0xff, 0xd8]), Buffer.alloc(100_000, 3), Buffer.from([0xff, 0xd9])];
    const whole = Buffer.alloc(50_000, 9);
    const request = multipartRequest({}, [
      { name: 'a.jpg', data: pieces, contentType: 'image/jpeg' },
      { name: 'b.jpg', data: whole, contentType: 'image/jpeg' },
    ]);
    const body = request.body as MultipartBody;
    for (const piece of [...pieces, whole]) expect(body.parts).toContain(piece);
    expect(body.byteLength).toBe(body.toBuffer().length);
    const form = await parse(request);
    expect(Buffer.from(await (form.get('files[0]') as File).arrayBuffer())).toEqual(Buffer.concat(pieces));
    expect(Buffer.from(await (form.get('files[1]') as File).arrayBuffer())).toEqual(whole);
  });

  it('uses a new boundary each time', () => {
    const type = (r: ReturnType<typeof multipartRequest>) => (r.headers as Record<string, string>)['Content-Type'];
    expect(type(multipartRequest({}, []))).not.toBe(type(multipartRequest({}, [])));
  });
});

describe('sendRestRequest (discord.js REST makeRequest) over real HTTP', () => {
  let local: LocalServer;
  let api: string;
  const seen: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  /** Answers to give, in order (then 200). */
  const answers: number[] = [];

  beforeAll(async () => {
    local = await startLocalServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { id: String(seen.length) } : { message: 'oops', code: 0 }));
      });
    });
    api = `${local.url}/api`;
  });

  afterAll(async () => {
    await local.close();
  });

  const rest = () => new REST({ api, makeRequest: sendRestRequest, retries: 2, offset: 0 }).setToken('t0k3n');

  it('sends the pieces with their length declared, and the same bytes again when REST retries a 500', async () => {
    seen.length = 0;
    answers.push(500);
    const request = multipartRequest({ content: 'hi' }, [
      { name: 'a.jpg', data: [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2)], contentType: 'image/jpeg' },
    ]);
    const answer = (await rest().post(Routes.channelMessages('1'), request)) as { id: string };
    expect(answer.id).toBe('2');
    expect(seen).toHaveLength(2);
    const expected = (request.body as MultipartBody).toBuffer();
    for (const { headers, body } of seen) {
      expect(headers['content-length']).toBe(String(expected.length));
      expect(headers['transfer-encoding']).toBeUndefined();
      expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=seedream-/);
      expect(headers.authorization).toBe('Bot t0k3n');
      expect(body.equals(expected)).toBe(true);
    }
  });

  it('sends a JSON body as discord.js made it, on the same connections', async () => {
    seen.length = 0;
    await rest().patch(Routes.channelMessage('1', '2'), { body: { content: 'edited' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({ content: 'edited' });
  });

  it("leaves discord.js's own file uploads (a FormData) to discord.js", async () => {
    seen.length = 0;
    await rest().post(Routes.channelMessages('1'), {
      body: { content: 'with a file' },
      files: [{ name: 'a.txt', data: Buffer.from('hello'), contentType: 'text/plain' }],
    });
    expect(seen).toHaveLength(1);
    const form = await new Response(seen[0]!.body, {
      headers: { 'content-type': seen[0]!.headers['content-type']! },
    }).formData();
    expect(await (form.get('files[0]') as File).text()).toBe('hello');
    expect(JSON.parse(String(form.get('payload_json')))).toEqual({ content: 'with a file' });
  });
});
