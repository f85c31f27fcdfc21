// What the browser test and the screenshot share: the system's Chromium driven by puppeteer-core (which
// downloads no browser), the sample server, and one "device" per incognito browser context.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { type RunningSample, startSample } from '../samples/server';

/** Chromium's binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. Exits non-zero, saying how, if absent. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  console.error(
    `No Chromium at ${path}. The browser test drives the system's Chromium (puppeteer-core downloads none):\n` +
      '  apt-get update && apt-get install -y chromium   (Debian, as root)\n' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
  process.exit(1);
}

export interface Harness {
  readonly sample: RunningSample;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts the sample server (any free port) and a headless Chromium. */
export async function startHarness(): Promise<Harness> {
  const executablePath = chromiumPath();
  const sample = await startSample(0);
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // Chromium refuses to run its sandbox as root (a CI container); a normal user keeps it.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  return {
    sample,
    browser,
    close: async () => {
      await browser.close();
      await sample.close();
    },
  };
}

export interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * The page's script errors and console errors since it opened: a Content-Security-Policy violation, a failed
   * request (a 404) and an uncaught exception each show there.
   */
  readonly problems: string[];
}

/**
 * A device: an incognito browser context (cookies of its own) with one page on the web app. A `userAgent`
 * makes it look like another browser, so that "your devices" tells the two apart.
 */
export async function openDevice(harness: Harness, userAgent?: string): Promise<Device> {
  const context = await harness.browser.createBrowserContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url ?? ''})`);
  });
  if (userAgent) await page.setUserAgent({ userAgent });
  await page.setViewport({ width: 900, height: 640 });
  await load(page, harness.sample.appUrl);
  return { context, page, problems };
}

/** (Re)loads the page and waits until it shows what the server answered: signed in or out. */
export async function load(page: Page, url = page.url()): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body:not([data-state="loading"])');
}

export const pageState = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => document.body.dataset.state);

/** Signs in on the page's form, as a user would. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.locator('#login-name').fill(name); // fill() replaces what an earlier log-in left in the field
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('body[data-state="signed-in"]');
}

/** Clicks a button and waits until the page has shown the answer (the state attribute is set again). */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await page.evaluate(() => delete document.body.dataset.state);
  await page.click(selector);
  await page.waitForSelector('body[data-state]');
}

export const text = (page: Page, selector: string): Promise<string> =>
  page.$eval(selector, (node) => node.textContent?.trim() ?? '');

/** A desktop Firefox's User-Agent, for the second device. */
export const FIREFOX_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';
