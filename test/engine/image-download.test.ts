/** downloadImage over real HTTP on 127.0.0.1: the byte cap, the timeout, the sniffed format. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadImage } from '../../src/store/image-spool.js';
import { joinBytes } from '../../src/util/bytes.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
let local: LocalServer;
let base: string;

beforeAll(async () => {
  local = await startLocalServer((req, res) => {
    const body = Buffer.concat([JPEG_HEAD, Buffer.alloc(200_000, 1)]);
    switch (req.url) {
      case '/sized':
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
        return;
      case '/chunked-too-large':
        // No Content-Length: the cap is only seen while the bytes arrive.
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(body);
        res.end();
        return;
      case '/hangs':
        res.writeHead(200, { 'content-length': body.length * 2 });
        res.write(body); // and never the rest
        return;
      case '/not-an-image':
        res.writeHead(200);
        res.end('<html>no</html>');
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  base = local.url;
});

afterAll(async () => {
  await local.close();
});

const options = { maxBytes: 1_000_000, timeoutMs: 1_000 };

describe('downloadImage', () => {
  it('reads a body of declared length, every byte, and sniffs its format', async () => {
    const { data, format } = await downloadImage(`${base}/sized`, options);
    expect(format).toBe('jpeg');
    const whole = joinBytes(data);
    expect(whole.length).toBe(200_004);
    expect(whole.subarray(0, 4)).toEqual(JPEG_HEAD);
  });

  it('stops a body without a length at the byte cap', async () => {
    await expect(downloadImage(`${base}/chunked-too-large`, options)).rejects.toMatchObject({
      code: 'image_too_large',
    });
  });

  it('gives up on a body that stops arriving, as a transient failure', async () => {
    await expect(downloadImage(`${base}/hangs`, options)).rejects.toMatchObject({
      code: 'image_download_transient',
    });
  });

  it('refuses bytes that are not an image, and a 404', async () => {
    await expect(downloadImage(`${base}/not-an-image`, options)).rejects.toMatchObject({ code: 'image_not_an_image' });
    await expect(downloadImage(`${base}/gone`, options)).rejects.toMatchObject({ code: 'image_gone' });
  });
});
