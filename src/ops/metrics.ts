/**
 * Prometheus metrics of one bot instance, on a registry of its own (several bots in one test
 * process must not share the global one). Everything is fed from existing seams: the engine's
 * events, discord.js REST events, the RunComfy client's `onCall` hook and the interaction
 * stream; gauges read their figure when scraped. Every label set is bounded (see each metric).
 */
import type { REST } from 'discord.js';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobEngine } from '../engine/engine.js';
import { JOB_STATES, type JobRecord, jobRecordSchema, TERMINAL_STATES } from '../engine/job.js';
import type { Logger } from '../log.js';
import type { RunComfyCallInfo } from '../runcomfy/client.js';
import type { Store } from '../store/store.js';
import { discordRouteLabel, interactionIdOfCallback, runcomfyEndpoint } from './metric-labels.js';

const ACTIVE_STATES = JOB_STATES.filter((s) => !TERMINAL_STATES.has(s));
const OUTCOMES = JOB_STATES.filter((s) => TERMINAL_STATES.has(s));
/** Seconds: from a quick answer to a long generation. */
const SHORT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
const LONG_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Interactions not answered by then are forgotten (Discord gave up on them after 3 s). */
const PENDING_TTL_MS = 60_000;

export type InteractionKind = 'command' | 'component' | 'autocomplete' | 'modal' | 'other';

export class BotMetrics {
  readonly registry = new Registry();
  readonly #jobsEnded: Counter<'outcome'>;
  readonly #firstResponse: Histogram<'kind'>;
  readonly #queueWait: Histogram<'queue'>;
  readonly #generation: Histogram;
  readonly #delivery: Histogram;
  readonly #runcomfyCalls: Counter<'endpoint' | 'status'>;
  readonly #runcomfySeconds: Histogram<'endpoint'>;
  readonly #discordCalls: Counter<'client' | 'method' | 'route' | 'status'>;
  readonly #discord429: Counter<'scope'>;
  readonly #discordWaits: Counter<'global'>;
  /** Interactions received and not answered yet: id → when and what. */
  readonly #pending = new Map<string, { at: number; kind: InteractionKind }>();

  /** `processMetrics`: also prom-client's default ones (they start observers that are never stopped: only when served). */
  constructor(
    private readonly log?: Logger,
    processMetrics = true,
  ) {
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    this.#jobsEnded = new Counter({
      name: 'seedream_jobs_ended_total',
      help: 'Jobs that reached an outcome in this process, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of OUTCOMES) this.#jobsEnded.inc({ outcome }, 0);
    this.#firstResponse = new Histogram({
      name: 'seedream_interaction_first_response_seconds',
      help: "From an interaction's arrival to the bot's first answer to it (Discord allows 3 s)",
      labelNames: ['kind'],
      buckets: SHORT_BUCKETS,
      registers,
    });
    this.#queueWait = new Histogram({
      name: 'seedream_job_queue_wait_seconds',
      help: "Time in a queue: the bot's fair queue (accepted until sent), RunComfy's (sent until seen generating, or until done when never seen generating)",
      labelNames: ['queue'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.#generation = new Histogram({
      name: 'seedream_job_generation_seconds',
      help: 'RunComfy generation time: seen generating until the result was seen (jobs seen generating)',
      buckets: LONG_BUCKETS,
      registers,
    });
    this.#delivery = new Histogram({
      name: 'seedream_job_delivery_seconds',
      help: 'From the result until the set was posted (download, pack, post)',
      buckets: LONG_BUCKETS,
      registers,
    });
    this.#runcomfyCalls = new Counter({
      name: 'seedream_runcomfy_requests_total',
      help: 'RunComfy Model API calls by endpoint and HTTP status ("error" when no answer came)',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.#runcomfySeconds = new Histogram({
      name: 'seedream_runcomfy_request_seconds',
      help: 'RunComfy Model API call time by endpoint',
      labelNames: ['endpoint'],
      buckets: SHORT_BUCKETS,
      registers,
    });
    this.#discordCalls = new Counter({
      name: 'seedream_discord_requests_total',
      help: 'Discord REST calls by client (bot or interaction webhook), method, route (ids and tokens elided) and status',
      labelNames: ['client', 'method', 'route', 'status'],
      registers,
    });
    this.#discord429 = new Counter({
      name: 'seedream_discord_429_total',
      help: 'Discord REST answers 429 (rate limited), by scope (user, global, shared)',
      labelNames: ['scope'],
      registers,
    });
    for (const scope of ['user', 'global', 'shared']) this.#discord429.inc({ scope }, 0);
    this.#discordWaits = new Counter({
      name: 'seedream_discord_rate_limit_waits_total',
      help: "Times discord.js held a request back to stay within a known rate limit (global or the route's bucket)",
      labelNames: ['global'],
      registers,
    });
    for (const global of ['true', 'false']) this.#discordWaits.inc({ global }, 0);
  }

  /** The RunComfy client's `onCall` hook. */
  readonly runcomfyCall = (call: RunComfyCallInfo): void => {
    const endpoint = runcomfyEndpoint(call.method, call.route);
    this.#runcomfyCalls.inc({ endpoint, status: String(call.status) });
    this.#runcomfySeconds.observe({ endpoint }, call.durationMs / 1000);
  };

  /** An interaction arrived: its first answer (the callback) is timed from now. */
  interactionReceived(id: string, kind: InteractionKind, now = Date.now()): void {
    // Map order is arrival order: the oldest entries are first.
    for (const [key, entry] of this.#pending) {
      if (now - entry.at < PENDING_TTL_MS) break;
      this.#pending.delete(key);
    }
    this.#pending.set(id, { at: now, kind });
  }

  /** Counts every call of a discord.js REST client; times interaction callbacks. */
  watchRest(rest: REST, client: 'bot' | 'interaction'): void {
    rest.on('response', (request, response) => {
      const method = request.method.toUpperCase();
      this.#discordCalls.inc({
        client,
        method,
        route: discordRouteLabel(request.path),
        status: String(response.status),
      });
      if (response.status === 429) {
        const scope = response.headers.get('x-ratelimit-scope') ?? 'user';
        this.#discord429.inc({ scope: ['user', 'global', 'shared'].includes(scope) ? scope : 'user' });
      }
      const interactionId = interactionIdOfCallback(request.path);
      const pending = interactionId === undefined ? undefined : this.#pending.get(interactionId);
      if (pending && response.status < 300) {
        this.#pending.delete(interactionId!);
        this.#firstResponse.observe({ kind: pending.kind }, (Date.now() - pending.at) / 1000);
      }
    });
    rest.on('rateLimited', (info) => this.#discordWaits.inc({ global: String(info.global) }));
  }

  /** Job outcomes and durations from the engine's events; queue and state gauges read when scraped. */
  watchEngine(engine: JobEngine, store: Store, onJob?: (job: JobRecord) => void): void {
    engine.on('ended', (job) => this.#jobsEnded.inc({ outcome: job.state }));
    engine.on('state', (job) => {
      const times = job.stateTimes;
      const seconds = (from: number | undefined, to: number | undefined) =>
        from === undefined || to === undefined ? undefined : Math.max(0, to - from) / 1000;
      // The bot's own fair queue: acceptance until sent (0 for a job that found a free slot).
      if (job.state === 'submitted')
        this.#observe(this.#queueWait, { queue: 'bot' }, seconds(job.createdAt, times.submitted));
      // RunComfy's queue: sent until seen generating; when no poll saw it running, until its
      // result was seen (an upper bound).
      if (job.state === 'running' || (job.state === 'fetching' && times.running === undefined)) {
        this.#observe(
          this.#queueWait,
          { queue: 'runcomfy' },
          seconds(times.submitted, times.running ?? times.fetching),
        );
      }
      if (job.state === 'fetching') this.#observe(this.#generation, {}, seconds(times.running, times.fetching));
      if (job.state === 'delivered') this.#observe(this.#delivery, {}, seconds(times.fetching, times.delivered));
      onJob?.(job);
    });
    const registers = [this.registry];
    // Images RunComfy returned at another pixel size than asked: delivered all the same, counted.
    const sizeMismatches = new Counter({
      name: 'seedream_image_size_mismatches_total',
      help: 'Images whose pixel size was not the one the request asked for',
      registers,
    });
    sizeMismatches.inc(0);
    engine.imageSizes.on('mismatch', () => sizeMismatches.inc());
    new Gauge({
      name: 'seedream_fair_queue_depth',
      help: "Requests waiting in this process's fair queue for a slot at RunComfy",
      registers,
      collect() {
        this.set(engine.waitingOrder().length);
      },
    });
    new Gauge({
      name: 'seedream_jobs_in_flight',
      help: 'Jobs of this process at RunComfy right now (submitted, queued or running): the MAX_JOBS_IN_FLIGHT cap',
      registers,
      collect() {
        this.set(engine.inFlightCount);
      },
    });
    const log = this.log;
    new Gauge({
      name: 'seedream_jobs',
      help: 'Unfinished jobs in the store by state (with Redis: of every process)',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = new Map<string, number>(ACTIVE_STATES.map((s) => [s, 0]));
        try {
          const ids = await engine.jobs.activeIds();
          for (let i = 0; i < ids.length; i += 500) {
            const records = await store.getMany('jobs', ids.slice(i, i + 500), jobRecordSchema);
            for (const job of records)
              if (job && counts.has(job.state)) counts.set(job.state, counts.get(job.state)! + 1);
          }
        } catch (error) {
          log?.warn({ err: error instanceof Error ? error.message : error }, 'metrics: could not count jobs');
          return;
        }
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
  }

  /** Images and US$ this month per server (the top spenders, then "other"). */
  watchGuildSpend(read: () => Promise<Array<{ guild: string; images: number; usd: number }>>): void {
    const registers = [this.registry];
    const log = this.log;
    let latest: Promise<Array<{ guild: string; images: number; usd: number }>> | undefined;
    // Both gauges are collected in one scrape: one read serves them.
    const figures = () => {
      latest ??= read().finally(() => setTimeout(() => (latest = undefined), 1_000).unref());
      return latest;
    };
    const gauge = (name: string, help: string, pick: (f: { images: number; usd: number }) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['guild'],
        registers,
        async collect() {
          try {
            const all = await figures();
            this.reset(); // a server that left the top list must not linger
            for (const f of all) this.set({ guild: f.guild }, pick(f));
          } catch (error) {
            log?.warn({ err: error instanceof Error ? error.message : error }, 'metrics: could not read usage');
          }
        },
      });
    gauge(
      'seedream_guild_month_images',
      'Images counted this UTC month per server (top spenders by id, the rest as "other")',
      (f) => f.images,
    );
    gauge(
      'seedream_guild_month_spend_usd',
      'US$ counted against the monthly budget this UTC month per server (top spenders by id, the rest as "other")',
      (f) => f.usd,
    );
  }

  #observe<L extends string>(
    histogram: Histogram<L>,
    labels: Partial<Record<L, string>>,
    seconds: number | undefined,
  ): void {
    if (seconds !== undefined) histogram.observe(labels, seconds);
  }
}
