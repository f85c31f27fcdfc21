// `npm run test:browser`: the sample web app in Debian's Chromium (apt-get install chromium), two incognito
// contexts as two devices (a laptop, and a "phone" that says it is Firefox). Not part of `npm test`, which needs no browser: jest's roots are spec/ only.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  chromiumPath,
  clickAndWait,
  FIREFOX_ON_MAC,
  load,
  openDevice,
  pageState,
  signIn,
  startHarness,
  text,
  type Device,
  type Harness,
} from './browser';

const SHOTS = join(__dirname, '../browser-test'); // build/browser-test, from build/spec-browser/

chromiumPath(); // before any test: exits with how to install it when there is none

describe('the sample web app in Chromium', () => {
  let harness: Harness;
  let laptop: Device;
  let phone: Device;

  before(async () => {
    harness = await startHarness();
    laptop = await openDevice(harness);
    phone = await openDevice(harness, FIREFOX_ON_MAC);
  });
  after(async () => {
    // What each device showed last, for a failed run in CI: build/browser-test/*.png (not committed).
    mkdirSync(SHOTS, { recursive: true });
    for (const [name, device] of Object.entries({ laptop, phone })) {
      await device?.page.screenshot({ path: join(SHOTS, `${name}.png`) as `${string}.png`, fullPage: true });
    }
    await harness?.close();
  });

  it('opens signed out, with no cookie until there is something to keep', async () => {
    assert.equal(await pageState(laptop.page), 'signed-out');
    assert.deepEqual(await laptop.context.cookies(), []);
  });

  it('signs in, under an HttpOnly, Secure, SameSite=Lax __Host- cookie that page scripts never see', async () => {
    await signIn(laptop.page, 'alice');
    assert.equal(await text(laptop.page, '#user-name'), 'alice');

    const cookies = await laptop.context.cookies();
    assert.equal(cookies.length, 1);
    const [cookie] = cookies;
    assert.equal(cookie?.name, '__Host-session');
    assert.match(cookie?.value ?? '', /^[A-Za-z0-9_.-]{43,}$/); // an owner's id: two parts and a dot
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.secure, true);
    assert.equal(cookie?.sameSite, 'Lax');
    assert.equal(cookie?.path, '/');
    assert.equal(cookie?.domain, 'localhost'); // host-only: the __Host- prefix allows no Domain
    assert.equal(await laptop.page.evaluate(() => document.cookie), '');
  });

  it('keeps the cart in the session: add, remove, total, across a reload', async () => {
    const page = laptop.page;
    await clickAndWait(page, 'button[data-add="apple"]');
    await clickAndWait(page, 'button[data-add="apple"]');
    await clickAndWait(page, 'button[data-add="pear"]');
    assert.equal(await text(page, '#cart-total'), '3.90');
    await clickAndWait(page, 'button[data-remove="pear"]');
    assert.equal(await text(page, '#cart-total'), '3.00');

    await load(page);
    assert.equal(await pageState(page), 'signed-in');
    assert.equal(await text(page, 'tr[data-sku="apple"] td:nth-child(2)'), '2');
    assert.equal(await text(page, '#cart-total'), '3.00');
    assert.equal(await page.evaluate(() => document.cookie), '');
  });

  it('signs out one device: its cookie is cleared, the other device is not touched', async () => {
    await signIn(phone.page, 'bob');
    await clickAndWait(phone.page, '#logout');
    assert.equal(await pageState(phone.page), 'signed-out');
    assert.deepEqual(await phone.context.cookies(), []);

    await load(laptop.page);
    assert.equal(await pageState(laptop.page), 'signed-in');
  });

  it('lists the two devices of a user signed in on both, each marking itself', async () => {
    await signIn(phone.page, 'alice');
    await load(laptop.page);
    for (const [device, label] of [
      [laptop, 'Headless Chrome on Linux'],
      [phone, 'Firefox on macOS'],
    ] as const) {
      assert.equal((await device.page.$$('#device-list li')).length, 2);
      assert.equal((await device.page.$$('#device-list li[data-current]')).length, 1);
      assert.equal(await text(device.page, '#device-list li[data-current] strong'), label);
    }
  });

  it("signs out another device from the list: that device's next page load is signed out", async () => {
    await clickAndWait(laptop.page, '#device-list li:not([data-current]) button[data-sign-out]');
    assert.equal((await laptop.page.$$('#device-list li')).length, 1);
    await load(phone.page);
    assert.equal(await pageState(phone.page), 'signed-out');
    await load(laptop.page);
    assert.equal(await pageState(laptop.page), 'signed-in');
  });

  it('signs out everywhere: this device at once, the other at its next page load', async () => {
    await signIn(phone.page, 'alice');
    await load(laptop.page);
    assert.equal((await laptop.page.$$('#device-list li')).length, 2);

    await clickAndWait(phone.page, '#sign-out-everywhere');
    assert.equal(await pageState(phone.page), 'signed-out');
    assert.deepEqual(await phone.context.cookies(), []);
    await load(laptop.page);
    assert.equal(await pageState(laptop.page), 'signed-out');
  });

  it('signs out this device from its own line of the list', async () => {
    await signIn(laptop.page, 'alice');
    await clickAndWait(laptop.page, '#device-list li[data-current] button[data-sign-out]');
    assert.equal(await pageState(laptop.page), 'signed-out');
    assert.deepEqual(await laptop.context.cookies(), []);
  });

  it('ran without a script error, a failed request or a Content-Security-Policy violation', () => {
    assert.deepEqual([...laptop.problems, ...phone.problems], []);
  });
});
