/**
 * The RunComfy side panel: how long jobs queue and run (for jobs submitted from now on), the
 * faults to arm (the next matching requests or job misbehave), and the jobs as RunComfy sees
 * them, polled from the emulator's control API.
 */

import { deleteJson, getJson, postJson } from './api.js';
import { el } from './dom.js';
import { type RunComfyState, runcomfyStateSchema } from './types.js';

const POLL_MS = 1_000;

/** Each button arms one fault spec on the emulator (see src/emulators/runcomfy/README.md). */
const FAULTS: Array<{ id: string; label: string; spec: Record<string, unknown> }> = [
  {
    id: 'rate-limit',
    label: '429 ×3 on status',
    spec: { kind: 'rate-limit', route: 'status', times: 3, retryAfterSeconds: 2 },
  },
  { id: 'submit-429', label: '429 on submit', spec: { kind: 'rate-limit', route: 'submit', retryAfterSeconds: 2 } },
  {
    id: 'server-error',
    label: '503 ×2 on status',
    spec: { kind: 'server-error', route: 'status', status: 503, times: 2 },
  },
  { id: 'submit-500', label: '500 on submit', spec: { kind: 'server-error', route: 'submit', status: 500 } },
  { id: 'job-fails', label: 'next job fails', spec: { kind: 'job-fails' } },
  { id: 'fewer-images', label: 'next job returns only 2 images', spec: { kind: 'fewer-images', count: 2 } },
  { id: 'image-404', label: 'next job: image 1 is 404', spec: { kind: 'image-404', index: 0 } },
  { id: 'slow', label: 'slow result (4 s)', spec: { kind: 'slow', route: 'result', delayMs: 4000 } },
];

export class RunComfyPanel {
  readonly root = el('aside', 'runcomfy-panel');
  private readonly queueInput = el('input');
  private readonly perImageInput = el('input');
  private readonly baseRunInput = el('input');
  private readonly armed = el('ul', 'armed');
  private readonly jobs = el('ul', 'jobs');
  private readonly calls = el('div', 'calls');
  private timingShown = false;

  constructor(private readonly notify: (text: string) => void) {
    this.root.dataset['testid'] = 'runcomfy-panel';
    this.root.append(el('h2', undefined, 'RunComfy'));
    const timing = el('form', 'timing');
    const row = (label: string, input: HTMLInputElement, id: string) => {
      input.type = 'number';
      input.min = '0';
      input.step = '0.1';
      input.dataset['testid'] = id;
      const wrap = el('label', 'timing-row');
      wrap.append(el('span', undefined, label), input, el('span', 'unit', 's'));
      return wrap;
    };
    const apply = el('button', 'button primary', 'Apply to new jobs');
    apply.type = 'submit';
    apply.dataset['testid'] = 'apply-timing';
    timing.append(
      row('Queue time', this.queueInput, 'queue-seconds'),
      row('Run time (base)', this.baseRunInput, 'base-run-seconds'),
      row('Time per image', this.perImageInput, 'per-image-seconds'),
      apply,
    );
    timing.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.applyTiming();
    });
    this.root.append(timing, el('h3', undefined, 'Faults'));
    const buttons = el('div', 'fault-buttons');
    for (const fault of FAULTS) {
      const button = el('button', 'button secondary', fault.label);
      button.type = 'button';
      button.dataset['fault'] = fault.id;
      button.addEventListener('click', () => void this.arm(fault.spec));
      buttons.append(button);
    }
    const clear = el('button', 'button danger', 'Disarm all');
    clear.type = 'button';
    clear.addEventListener('click', () => void deleteJson('/runcomfy/faults').then(() => this.poll()));
    buttons.append(clear);
    this.root.append(
      buttons,
      this.armed,
      el('h3', undefined, 'Jobs'),
      this.jobs,
      el('h3', undefined, 'Recent calls'),
      this.calls,
    );
    void this.poll();
    window.setInterval(() => void this.poll(), POLL_MS);
  }

  private async applyTiming(): Promise<void> {
    const seconds = (input: HTMLInputElement) => Math.round(Number(input.value) * 1000);
    try {
      await postJson('/runcomfy/timing', {
        queueMs: seconds(this.queueInput),
        baseRunMs: seconds(this.baseRunInput),
        perImageMs: seconds(this.perImageInput),
      });
      this.notify('RunComfy timing applied to new jobs');
    } catch (error) {
      this.notify((error as Error).message);
    }
  }

  private async arm(spec: Record<string, unknown>): Promise<void> {
    try {
      await postJson('/runcomfy/faults', spec);
      await this.poll();
    } catch (error) {
      this.notify((error as Error).message);
    }
  }

  private async poll(): Promise<void> {
    let state: RunComfyState;
    try {
      state = await getJson('/runcomfy/state', runcomfyStateSchema);
    } catch {
      return;
    }
    if (!this.timingShown) {
      this.timingShown = true;
      this.queueInput.value = String((state.timing.queueMs ?? 0) / 1000);
      this.baseRunInput.value = String(state.timing.baseRunMs / 1000);
      this.perImageInput.value = String(state.timing.perImageMs / 1000);
    }
    this.armed.replaceChildren(
      ...state.faults.map((f) =>
        el('li', undefined, `armed: ${f.kind}${f.route ? ` on ${f.route}` : ''} ×${f.remaining}`),
      ),
    );
    const now = Date.now();
    this.jobs.replaceChildren(
      ...state.jobs.slice(0, 12).map((job) => {
        const item = el('li', `job ${job.state}`);
        item.dataset['testid'] = 'runcomfy-job';
        const left =
          job.state === 'in_queue'
            ? ` · starts in ${Math.max(0, (job.startedAt - now) / 1000).toFixed(0)} s`
            : job.state === 'in_progress'
              ? ` · done in ${Math.max(0, (job.completedAt - now) / 1000).toFixed(0)} s`
              : ` · ${job.outcome}, ${job.imagesReturned} image(s)`;
        item.append(
          el('span', 'job-state', job.state.replace('_', ' ')),
          el('span', 'job-text', ` #${job.index + 1} ×${job.input.sequential_image_generation_options}${left}`),
        );
        if (job.faults.length > 0) item.append(el('span', 'job-faults', ` [${job.faults.join(', ')}]`));
        item.title = job.input.text;
        return item;
      }),
    );
    this.calls.textContent = state.calls
      .slice(-8)
      .map((c) => `${c.method} ${c.route} → ${c.status || '…'}${c.fault ? ` (${c.fault})` : ''}`)
      .join('\n');
  }
}
