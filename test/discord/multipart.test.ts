import { describe, expect, it } from 'vitest';
import { multipartRequest } from '../../src/discord/multipart.js';

/** Reads the body back with undici's own multipart parser (the fetch Response), not ours. */
async function parse(request: ReturnType<typeof multipartRequest>): Promise<FormData> {
  const headers = request.headers as Record<string, string>;
  return new Response(request.body as Buffer, { headers: { 'content-type': headers['Content-Type']! } }).formData();
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

  it('uses a new boundary each time', () => {
    const type = (r: ReturnType<typeof multipartRequest>) => (r.headers as Record<string, string>)['Content-Type'];
    expect(type(multipartRequest({}, []))).not.toBe(type(multipartRequest({}, [])));
  });
});
