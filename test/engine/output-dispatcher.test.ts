/**
 * Image downloads connect only to public addresses, over real sockets on 127.0.0.1 with an
 * injected resolver (no real DNS): a name that resolves inside the network is refused before
 * any connection, unless the allow-list names loopback itself; the socket goes to the address
 * that was checked.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusedAddress, outputDispatcher } from '../../src/engine/output-dispatcher.js';
import { downloadImage, ImageDownloadError } from '../../src/store/image-spool.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1_000, 7)]);
let local: LocalServer;
let port: string;
let hits = 0;

beforeAll(async () => {
  local = await startLocalServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-length': JPEG.length }).end(JPEG);
  });
  port = new URL(local.url).port;
});
afterAll(async () => {
  await local.close();
});

function resolverOf(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { asked, resolve };
}

async function fetchVia(url: string, allowedHosts: string[], table: Record<string, string[]>) {
  const { asked, resolve } = resolverOf(table);
  const dispatcher = outputDispatcher({ allowedHosts, resolve });
  try {
    const result = await downloadImage(url, { maxBytes: 100_000, timeoutMs: 5_000, dispatcher }).catch(
      (error: unknown) => error,
    );
    return { result, asked };
  } finally {
    await dispatcher.close();
  }
}

describe('output dispatcher', () => {
  it('refuses an allowed name that resolves to loopback when loopback was not allowed', async () => {
    hits = 0;
    const { result, asked } = await fetchVia(`http://cdn.runcomfy.net:${port}/a.jpg`, ['*.runcomfy.net'], {
      'cdn.runcomfy.net': ['127.0.0.1'],
    });
    expect(asked).toEqual(['cdn.runcomfy.net']);
    expect(result).toBeInstanceOf(ImageDownloadError);
    expect((result as ImageDownloadError).code).toBe('image_host_refused');
    expect(hits).toBe(0);
  });

  it('refuses a name with any private address among its answers', async () => {
    hits = 0;
    const { result } = await fetchVia(`http://cdn.runcomfy.net:${port}/a.jpg`, ['*.runcomfy.net', 'localhost'], {
      'cdn.runcomfy.net': ['127.0.0.1', '10.1.2.3'],
    });
    expect((result as ImageDownloadError).code).toBe('image_host_refused');
    expect(hits).toBe(0);
  });

  it('connects to the checked address when the allow-list names loopback (the emulators)', async () => {
    hits = 0;
    // The name is fake: only the injected answer can have brought the socket to our server.
    const { result, asked } = await fetchVia(`http://cdn.runcomfy.net:${port}/a.jpg`, ['*.runcomfy.net', 'localhost'], {
      'cdn.runcomfy.net': ['127.0.0.1'],
    });
    expect(asked).toEqual(['cdn.runcomfy.net']);
    expect(result).toMatchObject({ format: 'jpeg' });
    expect(hits).toBe(1);
  });

  it.each([
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['64:ff9b::192.168.0.1', true],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
    ['::ffff:93.184.216.34', false],
  ])('%s refused: %s', (address, refused) => {
    expect(isRefusedAddress(address, false)).toBe(refused);
  });

  it('loopback is allowed only when asked for, and only loopback', () => {
    expect(isRefusedAddress('127.0.0.1', true)).toBe(false);
    expect(isRefusedAddress('::1', true)).toBe(false);
    expect(isRefusedAddress('10.0.0.1', true)).toBe(true);
  });
});
