/** The emulator's building blocks on their own: ids and shards, permissions, image headers, multipart, fault routes. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/emulators/discord/clock.js';
import { FaultInjector } from '../../../src/emulators/discord/faults.js';
import { readImageSize } from '../../../src/emulators/discord/image-size.js';
import {
  computeBasePermissions,
  computeChannelPermissions,
  PermissionFlags,
  resolvePermissions,
} from '../../../src/emulators/discord/permissions.js';
import { parseBody } from '../../../src/emulators/discord/rest/body.js';
import {
  compareSnowflakes,
  SnowflakeGenerator,
  shardIdForGuild,
  snowflakeTimestampMs,
} from '../../../src/emulators/discord/snowflake.js';

describe('snowflakes and shards', () => {
  it('uses Discord’s shard formula and keeps ids increasing even when the clock goes back', () => {
    expect(shardIdForGuild('81384788765712384', 2)).toBe(Number((81384788765712384n >> 22n) % 2n));
    expect(shardIdForGuild(null, 4)).toBe(0);
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const ids = new SnowflakeGenerator(clock);
    const a = ids.next();
    clock.advance(-10_000);
    const b = ids.next();
    expect(compareSnowflakes(a, b)).toBeLessThan(0);
    expect(snowflakeTimestampMs(a)).toBe(Date.UTC(2026, 0, 1));
    // Consecutive guilds alternate between two shards.
    const shards = [ids.nextGuildId(), ids.nextGuildId(), ids.nextGuildId()].map((g) => shardIdForGuild(g, 2));
    expect(shards[0]).not.toBe(shards[1]);
    expect(shards[1]).not.toBe(shards[2]);
  });
});

describe('permissions', () => {
  const guildId = '1';
  const roles: Record<string, bigint> = {
    '1': resolvePermissions(['ViewChannel', 'SendMessages', 'AttachFiles']),
    '2': resolvePermissions(['ManageMessages']),
  };
  const base = (userId: string, memberRoleIds: string[]) =>
    computeBasePermissions({ guildId, ownerId: '99', userId, memberRoleIds, rolePermissions: (id) => roles[id] });

  it('applies @everyone, role and member overwrites in Discord’s order', () => {
    const overwrites = [
      { id: guildId, type: 0 as const, allow: 0n, deny: PermissionFlags.AttachFiles },
      { id: '2', type: 0 as const, allow: PermissionFlags.AttachFiles, deny: 0n },
      { id: '7', type: 1 as const, allow: 0n, deny: PermissionFlags.AttachFiles },
    ];
    const forRole = computeChannelPermissions({
      base: base('5', ['2']),
      guildId,
      userId: '5',
      memberRoleIds: ['2'],
      overwrites,
    });
    expect(forRole & PermissionFlags.AttachFiles).toBe(PermissionFlags.AttachFiles);
    const forMember = computeChannelPermissions({
      base: base('7', ['2']),
      guildId,
      userId: '7',
      memberRoleIds: ['2'],
      overwrites,
    });
    expect(forMember & PermissionFlags.AttachFiles).toBe(0n);
  });

  it('losing Send Messages loses files and embeds; losing View Channel loses everything; owners keep all', () => {
    const noSend = [{ id: guildId, type: 0 as const, allow: 0n, deny: PermissionFlags.SendMessages }];
    const bits = computeChannelPermissions({
      base: base('5', []),
      guildId,
      userId: '5',
      memberRoleIds: [],
      overwrites: noSend,
    });
    expect(bits & PermissionFlags.AttachFiles).toBe(0n);
    const hidden = [{ id: guildId, type: 0 as const, allow: 0n, deny: PermissionFlags.ViewChannel }];
    expect(
      computeChannelPermissions({ base: base('5', []), guildId, userId: '5', memberRoleIds: [], overwrites: hidden }),
    ).toBe(0n);
    expect(base('99', []) & PermissionFlags.Administrator).toBe(PermissionFlags.Administrator);
  });
});

describe('image headers', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('reads width and height of %s', async (format) => {
    const bytes = await sharp({ create: { width: 123, height: 45, channels: 3, background: '#336699' } })
      .toFormat(format)
      .toBuffer();
    expect(readImageSize(bytes)).toEqual({ width: 123, height: 45 });
  });

  it('returns nothing for non-images', () => {
    expect(readImageSize(Buffer.from('hello world, not an image'))).toBeUndefined();
  });
});

describe('multipart bodies', () => {
  it('parses files[n] and payload_json as undici’s FormData encodes them', async () => {
    const form = new FormData();
    form.append('files[0]', new Blob([Buffer.from([1, 2, 3])], { type: 'image/png' }), '圖 "1".png');
    form.append('files[1]', new Blob(['second']), 'b.txt');
    form.append('payload_json', JSON.stringify({ content: 'hi', attachments: [{ id: '0' }, { id: '1' }] }));
    const request = new Request('http://x', { method: 'POST', body: form });
    const raw = Buffer.from(await request.arrayBuffer());
    const parsed = parseBody(request.headers.get('content-type') ?? undefined, raw);
    expect(parsed.json).toEqual({ content: 'hi', attachments: [{ id: '0' }, { id: '1' }] });
    expect(parsed.files.map((f) => [f.index, f.filename, f.contentType, f.bytes.length])).toEqual([
      [0, '圖 "1".png', 'image/png', 3],
      [1, 'b.txt', 'application/octet-stream', 6],
    ]);
  });

  it('answers invalid JSON with 50109', () => {
    expect(() => parseBody('application/json', Buffer.from('{nope'))).toThrow(expect.objectContaining({ code: 50109 }));
  });
});

describe('fault routes', () => {
  it('matches method and path patterns, counts hits and retires after `times`', () => {
    const faults = new FaultInjector(() => 0);
    const fault = faults.rateLimit('POST /channels/*/messages', { times: 2 });
    expect(faults.decide('GET', '/channels/1/messages').failure).toBeUndefined();
    expect(faults.decide('POST', '/channels/1/messages/2').failure).toBeUndefined();
    expect(faults.decide('POST', '/channels/1/messages').failure?.kind).toBe('rateLimit');
    expect(faults.decide('POST', '/channels/9/messages').failure?.kind).toBe('rateLimit');
    expect(faults.decide('POST', '/channels/9/messages').failure).toBeUndefined();
    expect(fault.hits).toBe(2);
    faults.serverError('/webhooks/**');
    expect(faults.decide('PATCH', '/webhooks/1/abc/messages/@original').failure?.kind).toBe('serverError');
    faults.slow(/^GET /, 30);
    expect(faults.decide('GET', '/gateway/bot').delayMs).toBe(30);
  });
});
