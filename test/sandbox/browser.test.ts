/**
 * The sandbox page in a real browser (Debian's chromium driven by playwright-core): the whole
 * product as a member sees it, against both emulators and the real bot. With
 * UPDATE_SCREENSHOTS=1 it also writes the README's screenshots to docs/sandbox/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/server/start-sandbox.js';
import { SANDBOX_IDS } from '../../sandbox/server/world.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(process.cwd(), 'docs', 'sandbox') : undefined;
/** Every wait has a deadline: a stuck page fails the test instead of hanging CI. */
const STEP_MS = 20_000;

let sandbox: Sandbox | undefined;
let browser: Browser | undefined;
let page: Page;
const offsite: string[] = [];
const pageErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), timeout: STEP_MS });
}

/** The bot's message whose text includes `text` (the card shows the prompt). */
/** The first message showing `text`: a job's card (its result, posted later, shows the prompt too). */
function messageWith(text: string): Locator {
  return page.locator('[data-testid="message"]').filter({ hasText: text }).first();
}

/** When the member last sent a command: the next waits out COMMAND_COOLDOWN (2 s), as a person would. */
let lastCommandAt = 0;

async function imagine(commandLabel: string, prompt: string, count: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastCommandAt + 2_100 - Date.now())));
  const input = page.getByTestId('composer-input');
  await input.click();
  await input.pressSequentially(`/${commandLabel.slice(0, 3)}`);
  // The picker is built from the commands the bot registered, in the member's language.
  const choice = page.locator('[data-testid="command-choice"][data-path="imagine"]');
  await expect.poll(() => choice.textContent(), { timeout: STEP_MS }).toContain(`/${commandLabel}`);
  await input.press('Enter');
  await page.locator('[data-option="prompt"] input').fill(prompt);
  await page.locator('[data-option="count"] input').fill(String(count));
  await page.getByTestId('composer-send').click();
  lastCommandAt = Date.now();
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, queueMs: 6_000, baseRunMs: 1_000, perImageMs: 300 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: STEP_MS,
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Nothing may leave the machine: the page, the emulators and their images are all on 127.0.0.1.
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  await page.goto(sandbox.url, { timeout: STEP_MS });
  await page.locator('body[data-ready="true"]').waitFor({ timeout: STEP_MS });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await sandbox?.close();
}, 30_000);

describe('the sandbox page', () => {
  it('runs /imagine from autocomplete, cancels, shows a set, refuses a stranger, speaks zh-TW', async () => {
    // RunComfy panel: a longer queue for the jobs to come, so the steps below happen while they wait.
    await page.getByTestId('queue-seconds').fill('14');
    await page.getByTestId('apply-timing').click();
    await expect.poll(async () => sandbox!.runcomfy.timing().queueMs, { timeout: STEP_MS }).toBe(14_000);

    // 1. alice: /imagine from the picker; the card shows RunComfy's queue position, live.
    await imagine('imagine', 'a red fox in fresh snow', 4);
    const fox = messageWith('a red fox in fresh snow');
    await expect.poll(() => fox.textContent(), { timeout: STEP_MS }).toMatch(/In the queue — position \d+\./);
    expect(await fox.locator('.mention').allTextContents()).toContain('@Alice');
    await screenshot('card');

    // 2. A second job, cancelled with its card's button.
    await imagine('imagine', 'a blue whale at dusk', 2);
    const whale = messageWith('a blue whale at dusk');
    await whale.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => whale.textContent(), { timeout: STEP_MS }).toContain('Cancelled before it started');

    // 3. bob may not cancel alice's job: told privately, and alice does not see it.
    await page.getByTestId('member-switcher').selectOption(SANDBOX_IDS.bob);
    await fox.getByRole('button', { name: 'Cancel' }).click();
    const refusal = page
      .locator('.message.ephemeral')
      .filter({ hasText: 'Only the person who started this generation' });
    await expect.poll(() => refusal.count(), { timeout: STEP_MS }).toBe(1);
    await expect(refusal.getByTestId('ephemeral-note').textContent()).resolves.toContain('Only you can see this');
    await page.getByTestId('member-switcher').selectOption(SANDBOX_IDS.alice);
    expect(await refusal.count()).toBe(0);
    expect(await fox.getByRole('button', { name: 'Cancel' }).count()).toBe(1);

    // 4. The fox set arrives: four images in its Components V2 media gallery, really loaded from
    // the emulator's CDN. Runs in the page; typed structurally because the tests compile without the DOM library.
    const gridImages = page.locator('[data-testid="media-gallery"] img.media-gallery-item');
    const loaded = () =>
      gridImages.evaluateAll(
        (imgs) =>
          imgs.filter((img) => {
            const image = img as unknown as { complete: boolean; naturalWidth: number };
            return image.complete && image.naturalWidth > 0;
          }).length,
      );
    await expect.poll(loaded, { timeout: 40_000, interval: 500 }).toBe(4);
    await gridImages.last().scrollIntoViewIfNeeded();
    await screenshot('finished-set');

    // 5. In Traditional Chinese: the command's name in the picker and the card. Its job waits
    // long enough in RunComfy's queue for step 6 to cancel it however slow the machine.
    await page.getByTestId('queue-seconds').fill('300');
    await page.getByTestId('apply-timing').click();
    await expect.poll(async () => sandbox!.runcomfy.timing().queueMs, { timeout: STEP_MS }).toBe(300_000);
    await page.getByTestId('locale-switcher').selectOption('zh-TW');
    await imagine('生成圖片', '雪地裡的紅狐狸', 2);
    const zhCard = messageWith('雪地裡的紅狐狸');
    await expect.poll(() => zhCard.textContent(), { timeout: STEP_MS }).toMatch(/排隊中，目前第 \d+ 位。/);
    expect(await zhCard.getByRole('button').first().textContent()).toBe('取消');
    await screenshot('zh-TW-card');

    // 6. /cancel with the bot's own autocomplete answers, in zh-TW too.
    const input = page.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('/取');
    await page.locator('[data-testid="command-choice"][data-path="cancel"]').click();
    const job = page.locator('[data-option="job"] input');
    await job.pressSequentially('紅狐');
    const suggestion = page
      .getByTestId('autocomplete-choices')
      .locator('.popup-row')
      .filter({ hasText: '雪地裡的紅狐狸' });
    await suggestion.click();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastCommandAt + 2_100 - Date.now())));
    await page.getByTestId('composer-send').click();
    await expect.poll(() => zhCard.textContent(), { timeout: STEP_MS }).toContain('已在開始前取消');

    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 110_000);
});
