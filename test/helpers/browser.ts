import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT } from '../../cli/paths.ts';

// Debian's Chromium (`.ci/run` installs it when missing); CHROMIUM_PATH points elsewhere.
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests keep their screenshots: test-artifacts/<suite>/ in the checkout (ignored by git). */
const ARTIFACTS_DIR = join(ROOT, 'test-artifacts');

/**
 * Headless Chromium for a browser test. The network flags matter on a closed machine: without
 * them Chromium keeps trying to reach Google's hosts, and each refused connection costs time.
 */
function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-page screenshot as test-artifacts/<suite>/<name>.png and answers its path. */
async function saveScreenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, suite);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// Sent as source text: tsx compiles functions with a `__name` helper that does not exist in the page.
const UNLABELLED_CONTROLS = `(() => {
  const named = (element) => {
    if (element.getAttribute('aria-label')?.trim()) return true;
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy && labelledBy.split(/\\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
    if (element.labels && [...element.labels].some((label) => label.textContent?.trim())) return true;
    if (element.getAttribute('title')?.trim()) return true;
    const tag = element.tagName.toLowerCase();
    return (tag === 'button' || tag === 'a' || tag === 'summary') && (element.textContent?.trim() ?? '') !== '';
  };
  return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], summary')]
    .filter((element) => !named(element))
    .map((element) => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + (element.getAttribute('name') ? '[name=' + element.getAttribute('name') + ']' : ''));
})()`;

/**
 * The form controls and buttons on the page that have no accessible name: no <label>, no
 * aria-label or aria-labelledby, and (for buttons and links) no text. Each is described by its tag
 * and whatever identifies it, so a failure says which one.
 */
function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(UNLABELLED_CONTROLS) as Promise<string[]>;
}

export { launchBrowser, saveScreenshot, unlabelledControls };
