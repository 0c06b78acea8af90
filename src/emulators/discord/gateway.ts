/**
 * The gateway: JSON text frames over WebSocket (binary frames would be taken as compressed by
 * discord.js). HELLO → IDENTIFY → READY + GUILD_CREATE per guild of the shard, heartbeat ACKs,
 * RESUME with replay of missed events, several shards, and ways to break connections on purpose.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { shardIdForGuild } from './snowflake.js';
import type { EmulatorState } from './state.js';
import type { JsonObject, Snowflake } from './types.js';

export const GatewayIntents = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

const Close = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidShard: 4010,
  InvalidIntents: 4013,
} as const;

export interface GatewayOptions {
  state: EmulatorState;
  botToken: string;
  applicationId: Snowflake;
  heartbeatIntervalMs: number;
  /** ws://host:port/gateway, known once the server listens. */
  gatewayUrl: () => string;
  /** Events kept per session for RESUME replay. */
  backlogSize?: number;
  /** How long a dropped session stays resumable (clock ms). */
  resumeWindowMs?: number;
}

interface Session {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  seq: number;
  backlog: Array<{ s: number; frame: string }>;
  socket: WebSocket | null;
  ended: boolean;
  disconnectedAt: number | null;
}

export interface SessionInfo {
  sessionId: string;
  shardId: number;
  shardCount: number;
  intents: number;
  connected: boolean;
  sequence: number;
}

export interface DropOptions {
  /** `terminate` cuts TCP like a network failure (client resumes); `close` sends a close frame with `code`. */
  mode?: 'terminate' | 'close';
  /** Close code for `close` mode. 4000 (unknown error) makes discord.js resume; 4004 would stop it. */
  code?: number;
}

export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();
  /** Heartbeat ACKs to swallow, to make a client see a zombie connection. */
  private ackSuppressions = 0;

  constructor(private readonly options: GatewayOptions) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  private onConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    let session: Session | null = null;
    this.sendOp(socket, Op.Hello, {
      heartbeat_interval: this.options.heartbeatIntervalMs,
      _trace: ['["emulator-gateway"]'],
    });

    socket.on('message', (raw: RawData, isBinary: boolean) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString());
      } catch {
        socket.close(Close.DecodeError, 'Error while decoding payload.');
        return;
      }
      const d = (payload.d ?? null) as JsonObject | null;
      switch (payload.op) {
        case Op.Heartbeat:
          if (this.ackSuppressions > 0) this.ackSuppressions--;
          else this.sendOp(socket, Op.HeartbeatAck, null);
          return;
        case Op.Identify:
          if (session) {
            socket.close(Close.AlreadyAuthenticated, 'You sent more than one identify payload.');
            return;
          }
          session = this.identify(socket, d);
          return;
        case Op.Resume:
          if (session) {
            socket.close(Close.AlreadyAuthenticated, 'You sent more than one identify payload.');
            return;
          }
          session = this.resume(socket, d);
          return;
        case Op.RequestGuildMembers:
          if (!session) return this.notAuthenticated(socket);
          this.sendMemberChunk(session, d);
          return;
        case Op.PresenceUpdate:
        case Op.VoiceStateUpdate:
        case Op.RequestSoundboardSounds:
          if (!session) return this.notAuthenticated(socket);
          return;
        default:
          socket.close(Close.UnknownOpcode, 'Unknown opcode.');
      }
    });

    socket.on('close', (code: number) => {
      this.sockets.delete(socket);
      if (session && session.socket === socket) {
        session.socket = null;
        session.disconnectedAt = this.options.state.now();
        // A clean close from the client ends the session, as on Discord; anything else may resume.
        if (code === 1000 || code === 1001 || session.ended) {
          session.ended = true;
          this.sessions.delete(session.id);
        }
      }
    });
    socket.on('error', () => {
      // Connection errors surface as 'close'; nothing to do here.
    });
  }

  private notAuthenticated(socket: WebSocket): void {
    socket.close(Close.NotAuthenticated, 'You sent a payload prior to identifying.');
  }

  private identify(socket: WebSocket, d: JsonObject | null): Session | null {
    if (!d || d['token'] !== this.options.botToken) {
      socket.close(Close.AuthenticationFailed, 'Authentication failed.');
      return null;
    }
    const shard = Array.isArray(d['shard']) ? (d['shard'] as unknown[]) : [0, 1];
    const shardId = Number(shard[0]);
    const shardCount = Number(shard[1]);
    if (
      !Number.isInteger(shardId) ||
      !Number.isInteger(shardCount) ||
      shardCount < 1 ||
      shardId < 0 ||
      shardId >= shardCount
    ) {
      socket.close(Close.InvalidShard, 'Invalid shard.');
      return null;
    }
    if (typeof d['intents'] !== 'number') {
      socket.close(Close.InvalidIntents, 'Invalid intent(s).');
      return null;
    }
    // A fresh identify for the same shard supersedes dropped sessions of that shard.
    for (const [id, old] of this.sessions) {
      if (old.socket === null && old.shardId === shardId && old.shardCount === shardCount) this.sessions.delete(id);
    }
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      shardId,
      shardCount,
      intents: d['intents'],
      seq: 0,
      backlog: [],
      socket,
      ended: false,
      disconnectedAt: null,
    };
    this.sessions.set(session.id, session);
    const { state } = this.options;
    const guildIds = [...state.guilds.keys()].filter((id) => shardIdForGuild(id, shardCount) === shardId);
    this.dispatch(session, 'READY', {
      v: 10,
      user: { ...state.botUser, verified: true, mfa_enabled: false, email: null },
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.options.gatewayUrl(),
      shard: [shardId, shardCount],
      application: { id: this.options.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['emulator'],
      user_settings: {},
      auth_session_id_hash: '',
      _trace: ['["emulator-gateway"]'],
    });
    if (session.intents & GatewayIntents.Guilds) {
      const allMembers = (session.intents & GatewayIntents.GuildMembers) !== 0;
      for (const id of guildIds) this.dispatch(session, 'GUILD_CREATE', state.guildCreatePayload(id, allMembers));
    }
    return session;
  }

  private resume(socket: WebSocket, d: JsonObject | null): Session | null {
    const session = d ? this.sessions.get(String(d['session_id'])) : undefined;
    const seq = Number(d?.['seq'] ?? 0);
    const oldest = session?.backlog[0]?.s;
    const missedTooMuch = oldest !== undefined && oldest > seq + 1;
    if (
      !d ||
      d['token'] !== this.options.botToken ||
      !session ||
      session.ended ||
      missedTooMuch ||
      this.expired(session)
    ) {
      this.sendOp(socket, Op.InvalidSession, false);
      return null;
    }
    if (session.socket && session.socket !== socket) session.socket.terminate();
    session.socket = socket;
    session.disconnectedAt = null;
    for (const event of session.backlog) if (event.s > seq) socket.send(event.frame);
    this.dispatch(session, 'RESUMED', { _trace: ['["emulator-gateway"]'] });
    return session;
  }

  private expired(session: Session): boolean {
    const window = this.options.resumeWindowMs ?? 5 * 60_000;
    return session.disconnectedAt !== null && this.options.state.now() - session.disconnectedAt > window;
  }

  private sendMemberChunk(session: Session, d: JsonObject | null): void {
    const guildId = String(d?.['guild_id'] ?? '');
    const guild = this.options.state.guilds.get(guildId);
    if (!guild) return;
    const userIds = Array.isArray(d?.['user_ids'])
      ? (d['user_ids'] as string[])
      : typeof d?.['user_ids'] === 'string'
        ? [d['user_ids']]
        : null;
    const query = typeof d?.['query'] === 'string' ? d['query'].toLowerCase() : '';
    const limit = typeof d?.['limit'] === 'number' && d['limit'] > 0 ? d['limit'] : Number.POSITIVE_INFINITY;
    const members = [];
    for (const member of guild.members.values()) {
      if (members.length >= limit) break;
      if (userIds && !userIds.includes(member.userId)) continue;
      const user = this.options.state.userObject(member.userId);
      if (query && !user.username.toLowerCase().startsWith(query)) continue;
      members.push(this.options.state.memberObject(guildId, member.userId));
    }
    this.dispatch(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: guildId,
      members,
      chunk_index: 0,
      chunk_count: 1,
      not_found: userIds ? userIds.filter((id) => !guild.members.has(id)) : [],
      nonce: d?.['nonce'],
    });
  }

  // ---- dispatching ----------------------------------------------------------------------------

  private sendOp(socket: WebSocket, op: number, d: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ op, d, s: null, t: null }));
  }

  private dispatch(session: Session, event: string, data: unknown, dataJson = JSON.stringify(data)): void {
    session.seq++;
    const frame = `{"op":0,"t":"${event}","s":${session.seq},"d":${dataJson}}`;
    session.backlog.push({ s: session.seq, frame });
    const max = this.options.backlogSize ?? 2_000;
    if (session.backlog.length > max + 500) session.backlog.splice(0, session.backlog.length - max);
    const socket = session.socket;
    if (socket && socket.readyState === socket.OPEN) socket.send(frame);
  }

  /** Live or resumable sessions that own this guild (DMs: shard 0). */
  sessionsFor(guildId: Snowflake | null): Session[] {
    const result: Session[] = [];
    for (const session of this.sessions.values()) {
      if (session.ended || this.expired(session)) continue;
      if (shardIdForGuild(guildId, session.shardCount) === session.shardId) result.push(session);
    }
    return result;
  }

  /**
   * Sends an event to the shard(s) owning `guildId`. With `requiredIntent`, only sessions that
   * asked for it get the event. Returns how many sessions got (or will replay) it.
   */
  dispatchFor(guildId: Snowflake | null, event: string, data: unknown, requiredIntent = 0): number {
    let json: string | undefined;
    let count = 0;
    for (const session of this.sessionsFor(guildId)) {
      if (requiredIntent && (session.intents & requiredIntent) === 0) continue;
      // Messages and interactions carry CDN URLs signed afresh when sent, as Discord's do.
      json ??= JSON.stringify(this.options.state.cdn.refresh(data));
      this.dispatch(session, event, data, json);
      count++;
    }
    return count;
  }

  /** GUILD_CREATE for a guild added while bots are connected (full members only with GUILD_MEMBERS). */
  dispatchGuildCreate(guildId: Snowflake): void {
    for (const session of this.sessionsFor(guildId)) {
      if ((session.intents & GatewayIntents.Guilds) === 0) continue;
      const allMembers = (session.intents & GatewayIntents.GuildMembers) !== 0;
      this.dispatch(session, 'GUILD_CREATE', this.options.state.guildCreatePayload(guildId, allMembers));
    }
  }

  /** Whether some session would receive events of this guild right now or after resuming. */
  hasSessionFor(guildId: Snowflake | null): boolean {
    return this.sessionsFor(guildId).length > 0;
  }

  wantsIntent(guildId: Snowflake | null, intent: number): boolean {
    return this.sessionsFor(guildId).some((s) => (s.intents & intent) !== 0);
  }

  // ---- breaking things on purpose --------------------------------------------------------------

  /** Drops live connections (all, or one shard's); discord.js then resumes. Returns how many. */
  dropConnections(shardId?: number, options: DropOptions = {}): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      const socket = session.socket;
      if (!socket || (shardId !== undefined && session.shardId !== shardId)) continue;
      if ((options.mode ?? 'terminate') === 'terminate') socket.terminate();
      else socket.close(options.code ?? Close.UnknownError, 'Connection dropped by the emulator');
      count++;
    }
    return count;
  }

  /** Sends op 7 RECONNECT, as Discord does before moving a session. */
  requestReconnect(shardId?: number): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (!session.socket || (shardId !== undefined && session.shardId !== shardId)) continue;
      this.sendOp(session.socket, Op.Reconnect, null);
      count++;
    }
    return count;
  }

  /** Sends op 9 INVALID_SESSION (not resumable): the client must identify again. */
  invalidateSessions(shardId?: number): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (session.ended || (shardId !== undefined && session.shardId !== shardId)) continue;
      session.ended = true;
      if (session.socket) this.sendOp(session.socket, Op.InvalidSession, false);
      else this.sessions.delete(session.id);
      count++;
    }
    return count;
  }

  /** Swallows the next `count` heartbeat ACKs, so clients detect a zombie connection. */
  suppressHeartbeatAcks(count: number): void {
    this.ackSuppressions += count;
  }

  listSessions(): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => !s.ended)
      .map((s) => ({
        sessionId: s.id,
        shardId: s.shardId,
        shardCount: s.shardCount,
        intents: s.intents,
        connected: s.socket !== null,
        sequence: s.seq,
      }));
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.sessions.clear();
    this.wss.close();
  }
}
