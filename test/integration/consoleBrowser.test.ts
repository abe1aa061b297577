// The operator console in a real browser (Debian's headless Chromium driven by playwright-core)
// against a real plane: serverless-offline serving the console function, a bridge publishing its
// figures to NATS KV, PostgreSQL behind the registry, events flowing while the pages are open.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RouteRecord } from '../../shared/routes/index.ts';
import { createProducer, sampleEvent } from '../../shared/producer/index.ts';
import { METRICS, prometheusName } from '../../shared/telemetry/index.ts';
import { launchBrowser, saveScreenshot, unlabelledControls } from '../helpers/browser.ts';
import { freePort, waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { scrape, sumOf } from '../helpers/scrape.ts';

const SUITE = 'console';
const FIGURES_INTERVAL_MS = 1000;
const PAGE_TIMEOUT_MS = 15_000;

/** Events settled so far as the bridge's /metrics counts them: committed + duplicates + dead-lettered. */
async function settledOnMetrics(metricsUrl: string): Promise<number> {
  const result = await scrape(metricsUrl);
  return (
    sumOf(result, prometheusName(METRICS.eventsCommitted)) +
    sumOf(result, prometheusName(METRICS.eventsDuplicate)) +
    sumOf(result, prometheusName(METRICS.eventsDeadLettered))
  );
}

/** Publishes sample events on the plane's route until stopped, a few dozen a second: the traffic the pages show. */
function keepPublishing(plane: TestPlane): { stop(): Promise<number> } {
  const producer = createProducer(plane.js);
  let running = true;
  let published = 0;
  const loop = (async () => {
    while (running) {
      await producer.publish(plane.route, sampleEvent(plane.route));
      published += 1;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return published;
    },
  };
}

describe('the operator console in a browser', { timeout: 300_000 }, () => {
  let plane: TestPlane;
  let browser: Browser;
  let page: Page;
  let metricsUrl: string;
  let traffic: { stop(): Promise<number> } | undefined;
  const screenshots: string[] = [];
  const consoleUrl = (): string => `${plane.registryUrl}/console`;

  /** Opens a page by its hash; within the console only the hash changes, so the page keeps its token. */
  const open = async (hash: string, heading: string | RegExp): Promise<void> => {
    if (page.url().startsWith(consoleUrl())) await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    else await page.goto(`${consoleUrl()}#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: PAGE_TIMEOUT_MS });
  };

  const signIn = async (): Promise<void> => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in' });
    await dialog.getByLabel('Registry token').fill(plane.registryToken);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
  };

  before(async () => {
    const metricsPort = await freePort();
    plane = await createTestPlane({
      bridgeEnv: {
        BRIDGE_HTTP_PORT: String(metricsPort),
        BRIDGE_FIGURES_INTERVAL_MS: String(FIGURES_INTERVAL_MS),
        FIGURES_BUCKET: `FIGURES_${randomUUID().slice(0, 8)}`,
      },
    });
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    traffic = keepPublishing(plane);
  });

  after(async () => {
    await traffic?.stop();
    await browser?.close();
    await plane?.close();
    if (screenshots.length > 0) process.stdout.write(`# console screenshots: ${screenshots.join(', ')}\n`);
  });

  test("the overview's live chart shows the bridge's own count: its latest point lies between two /metrics scrapes one publish interval apart", async () => {
    await open('/overview', 'Overview');
    const settledTile = page.locator('[data-settled-total]');
    await settledTile.waitFor({ timeout: PAGE_TIMEOUT_MS });
    // Events are flowing. A scrape, then the first point the console shows from after it, then another scrape.
    const before = await waitFor(
      'the first events settled',
      () => settledOnMetrics(metricsUrl),
      (settled) => settled > 0,
      30_000,
    );
    const scrapedAt = Date.now();
    await waitFor(
      'a chart point published after the first scrape',
      async () => Number(await page.locator('[data-chart="events"]').getAttribute('data-latest-t')),
      (t) => t > scrapedAt + FIGURES_INTERVAL_MS,
      5 * FIGURES_INTERVAL_MS + 10_000,
    );
    const shown = Number(await settledTile.getAttribute('data-settled-total'));
    const afterwards = await settledOnMetrics(metricsUrl);
    assert.ok(before > 0, `events were flowing: ${before} settled before`);
    assert.ok(shown >= before && shown <= afterwards, `the console's settled total ${shown} lies between /metrics' ${before} and ${afterwards}`);
    const latestRate = Number(await page.locator('[data-chart="events"]').getAttribute('data-latest-value'));
    assert.ok(latestRate > 0, `the events/s chart's latest point shows traffic: ${latestRate}`);
    screenshots.push(await saveScreenshot(page, SUITE, 'overview'));
  });

  test('with the traffic stopped, the settled total equals /metrics exactly within one publish interval', async () => {
    await traffic?.stop();
    traffic = undefined;
    await waitFor(
      'the bridge to settle everything published',
      () => plane.pending(),
      (lag) => lag.pending === 0 && lag.ackPending === 0,
      30_000,
    );
    // Nothing moves any more: within a publish interval (and the page's next poll) both say the same.
    const { shown, metrics } = await waitFor(
      'the console to show the count /metrics shows',
      async () => ({
        shown: Number(await page.locator('[data-settled-total]').getAttribute('data-settled-total')),
        metrics: await settledOnMetrics(metricsUrl),
      }),
      (both) => both.shown === both.metrics,
      3 * FIGURES_INTERVAL_MS + 5_000,
    );
    assert.ok(metrics > 0, `events were settled: ${metrics}`);
    assert.equal(shown, metrics);
  });

  test('every page opens with its heading and every control labelled; screenshots are saved', async () => {
    for (const [hash, heading, name] of [
      ['/overview', 'Overview', 'overview'],
      ['/routes', 'Routes', 'routes'],
      ['/registry', 'Registry', 'registry'],
      ['/dead-letters', 'Dead letters', 'dead-letters'],
    ] as const) {
      await open(hash, heading);
      assert.deepEqual(await unlabelledControls(page), [], `every control on ${heading} has an accessible name`);
      screenshots.push(await saveScreenshot(page, SUITE, name));
    }
    await open('/routes', 'Routes');
    const row = page.locator(`tr[data-subject="${plane.route.subject}"]`);
    await row.waitFor({ timeout: PAGE_TIMEOUT_MS });
    const text = (await row.textContent()) ?? '';
    assert.ok(text.includes(plane.route.schema.fingerprint), `the route row shows the fingerprint producers use: ${text}`);
    assert.ok(text.includes(String(plane.route.schema.numericId)), `the route row shows the schema id: ${text}`);
    assert.ok(text.includes(plane.route.deadLetterSubject), `the route row shows its dead-letter subject: ${text}`);
  });

  test('keyboard only: Tab reaches the navigation, Enter opens a page and focus moves to its heading', async () => {
    await open('/overview', 'Overview');
    await page.locator('body').focus();
    let reached = false;
    for (let presses = 0; presses < 25 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate('document.activeElement?.textContent?.trim() === "Dead letters"');
    }
    assert.ok(reached, 'the Dead letters link is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
    assert.equal(await page.evaluate('document.activeElement?.tagName'), 'H1', 'focus moved to the new page heading');
    assert.match(page.url(), /#\/dead-letters$/);
  });

  test('the triage loop: letters for a subject with no route, the route added on the registry page, a dry run, a replay: rows in PostgreSQL and the letters gone', async () => {
    const subject = `${plane.runId}.cpu.load.v1`;
    const unrouted: RouteRecord = { ...plane.route, subject };
    const producer = createProducer(plane.js);
    const events = [sampleEvent(unrouted), sampleEvent(unrouted), sampleEvent(unrouted)];
    for (const event of events) await producer.publish(unrouted, event);
    await waitFor(
      'three unknown_route letters',
      async () => (await plane.deadLetters()).filter((letter) => letter.subject === subject),
      (letters) => letters.length === 3,
      30_000,
    );

    await open(`/dead-letters?subject=${encodeURIComponent(subject)}`, 'Dead letters');
    await page.locator('tr[data-reason="unknown_route"]').filter({ hasText: '3' }).waitFor({ timeout: PAGE_TIMEOUT_MS });

    // The fix: a route for the subject, written on the registry page.
    await signIn();
    await open('/registry', 'Registry');
    const newMessage = page.locator('details.new-message');
    await newMessage.locator('summary').click();
    const [messageGroup] = plane.route.messageXid.split('/').slice(2, 3);
    await newMessage.getByLabel('Message group').selectOption(messageGroup!);
    await newMessage.getByLabel('Message id').fill(subject);
    const definition = {
      protocol: 'NATS',
      protocoloptions: { subject },
      dataschemaformat: 'Avro/1.12',
      dataschemaxid: plane.route.schema.schemaXid,
      ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: `${plane.runId}dlq.cpu.load.v1`, wireformat: 'raw' },
    };
    await newMessage.getByLabel('New message definition (JSON)').fill(JSON.stringify(definition, null, 2));
    await newMessage.getByRole('button', { name: 'Create route' }).click();
    await newMessage.locator('.good').filter({ hasText: 'Created' }).waitFor({ timeout: PAGE_TIMEOUT_MS });

    // One letter in full: now that the route exists its payload decodes with the registry as it is now.
    const [first] = (await plane.deadLetters()).filter((letter) => letter.subject === subject);
    await open(`/dead-letters/${encodeURIComponent(first!.id)}`, /Dead letter/);
    const decoded = page.locator('pre[data-decoded="true"]');
    await decoded.waitFor({ timeout: PAGE_TIMEOUT_MS });
    const decodedText = (await decoded.textContent()) ?? '';
    assert.ok(
      events.some((event) => decodedText.includes(event.id)),
      `the decoded payload is one of the events that failed (${events.map((event) => event.id).join(', ')}): ${decodedText}`,
    );
    const history = await page.locator('ol.history li').allTextContents();
    assert.ok(history.length >= 2 && history.some((entry) => entry.includes('unknown_route')), `the history says what happened: ${history.join(' | ')}`);
    screenshots.push(await saveScreenshot(page, SUITE, 'dead-letter'));

    await open(`/dead-letters?subject=${encodeURIComponent(subject)}`, 'Dead letters');
    await page.getByRole('button', { name: 'Dry run replay' }).click();
    await page.locator('.replay-report[data-dry-run="true"] tr[data-outcome="would-replay"]').filter({ hasText: '3' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
    screenshots.push(await saveScreenshot(page, SUITE, 'dead-letters-dry-run'));
    await page.getByRole('button', { name: /^Replay 3 letters$/ }).click();
    await page.locator('.replay-report[data-dry-run="false"] tr[data-outcome="replayed"]').filter({ hasText: '3' }).waitFor({ timeout: PAGE_TIMEOUT_MS });

    const ids = events.map((event) => event.id);
    const rows = await waitFor(
      'the replayed events as rows',
      async () => (await plane.sql<{ count: number }[]>`select count(*)::int as count from metric_events where event_id in ${plane.sql(ids)}`)[0]!.count,
      (count) => count === 3,
      30_000,
    );
    assert.equal(rows, 3, 'each replayed event is exactly one row');
    assert.deepEqual(
      (await plane.deadLetters()).filter((letter) => letter.subject === subject),
      [],
      'the replayed letters are gone',
    );
  });

  test('registry page: a breaking change is named by its field, a compatible one registers, and the two versions diff', async () => {
    if (!(await page.getByRole('button', { name: 'Sign out' }).isVisible())) await signIn();
    await open('/registry', 'Registry');
    await page
      .getByRole('button', { name: /version 1/ })
      .first()
      .click();
    const text = page.getByLabel(/^New version text/);
    await text.waitFor({ timeout: PAGE_TIMEOUT_MS });
    // The box is filled with the version's text once it has loaded.
    const loaded = await waitFor(
      'the version text in the box',
      () => text.inputValue(),
      (value) => value.trim() !== '',
      PAGE_TIMEOUT_MS,
    );
    const schema = JSON.parse(loaded) as {
      fields: { name: string; type: { fields?: { name: string; type: unknown; default?: unknown }[] } }[];
    };
    const data = schema.fields.find((field) => field.name === 'data')!.type.fields!;
    const result = page.locator('.check-result');

    const breaking = structuredClone(schema);
    const value = breaking.fields.find((field) => field.name === 'data')!.type.fields!.find((field) => field.name === 'value')!;
    value.type = 'string';
    await text.fill(JSON.stringify(breaking, null, 2));
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    await page.locator('.check-result[data-compatible="false"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
    assert.match((await result.textContent()) ?? '', /value/, 'the breaking field is named');
    assert.equal(await page.getByRole('button', { name: 'Register as new version' }).isDisabled(), true, 'a breaking version cannot be registered');

    data.push({ name: 'host', type: ['null', 'string'], default: null });
    await text.fill(JSON.stringify(schema, null, 2));
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    await page.locator('.check-result[data-compatible="true"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
    await page.getByRole('button', { name: 'Register as new version' }).click();
    await page.getByText(/Registered as version 2/).waitFor({ timeout: PAGE_TIMEOUT_MS });
    const versions = (await (await fetch(`${plane.registryUrl}${plane.route.schema.schemaXid}/versions`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(versions).sort(), ['1', '2'], 'the registry API holds the version registered from the page');

    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('2');
    const added = page.locator('pre.diff[data-from="1"][data-to="2"] [data-kind="added"]');
    await added.first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    assert.ok(
      (await added.allTextContents()).some((line) => line.includes('host')),
      'the diff shows the added field',
    );
    screenshots.push(await saveScreenshot(page, SUITE, 'registry-diff'));
  });

  test('purge asks for confirmation, says how many, and deletes exactly those', async () => {
    const producer = createProducer(plane.js);
    for (let i = 0; i < 2; i++) await producer.publishRaw(plane.route.subject, new Uint8Array([0xff, 0xfe, 0xfd, i]));
    await waitFor(
      'two letters that do not decode',
      async () => (await plane.deadLetters()).filter((letter) => letter.subject === plane.route.subject),
      (letters) => letters.length === 2,
      30_000,
    );
    // One letter's own dry run: it still fails, and says why.
    const [one] = (await plane.deadLetters()).filter((letter) => letter.subject === plane.route.subject);
    await open(`/dead-letters/${encodeURIComponent(one!.id)}`, /Dead letter/);
    await page.locator('pre[data-decoded="true"], p[data-decoded="false"]').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    assert.equal(await page.locator('p[data-decoded="false"]').count(), 1, 'bytes that are not Avro do not decode, and the page says so');
    await page.getByRole('button', { name: 'Dry run replay' }).click();
    await page
      .locator('.replay-report[data-dry-run="true"][data-examined="1"] tr[data-outcome="still-failing"]')
      .filter({ hasText: '1' })
      .waitFor({ timeout: PAGE_TIMEOUT_MS });

    await open(`/dead-letters?subject=${encodeURIComponent(plane.route.subject)}`, 'Dead letters');
    await page.getByRole('button', { name: /^Purge/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete dead letters' });
    await dialog.getByText(/Delete 2 dead letters matching/).waitFor({ timeout: PAGE_TIMEOUT_MS });
    screenshots.push(await saveScreenshot(page, SUITE, 'purge-confirmation'));
    await dialog.getByRole('button', { name: /^Delete 2 letters$/ }).click();
    await page.locator('[data-deleted="2"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
    assert.deepEqual(
      (await plane.deadLetters()).filter((letter) => letter.subject === plane.route.subject),
      [],
      'the purged letters are gone',
    );
  });
});
