// The `npm start` sample end to end: real HTTP requests, the decorated cart handlers, dynalite in-process.
import { type RunningSample, startSample } from '../../samples/server';

let sample: RunningSample;
beforeAll(async () => {
  sample = await startSample(0);
});
afterAll(() => sample.close());

const post = (path: string, body: string, id?: string) =>
  fetch(sample.url + path, { method: 'POST', body, headers: id ? { 'session-id': id } : {} });

describe('the cart sample', () => {
  it('keeps a cart across requests that send the returned session-id', async () => {
    const first = await post('/cart/items', JSON.stringify({ sku: 'apple', qty: 2, price: 150 }));
    const id = first.headers.get('session-id')!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await post('/cart/items', JSON.stringify({ sku: 'pear', qty: 1, price: 90 }), id);
    await post('/cart/items', JSON.stringify({ sku: 'apple', qty: 1, price: 150 }), id);
    const view = await fetch(`${sample.url}/cart`, { headers: { 'session-id': id } });
    expect(view.headers.get('session-id')).toBe(id);
    expect(await view.json()).toEqual({
      items: [
        { sku: 'apple', qty: 3, price: 150 },
        { sku: 'pear', qty: 1, price: 90 },
      ],
      total: 540,
    });

    const cleared = await fetch(`${sample.url}/cart`, { method: 'DELETE', headers: { 'session-id': id } });
    expect(await cleared.json()).toEqual({ items: [], total: 0 });
  });

  it('answers a bad body with 400 and a reason, never a crash', async () => {
    const notJson = await post('/cart/items', 'garbage');
    expect(notJson.status).toBe(400);
    const invalid = await post(
      '/cart/items',
      JSON.stringify({ sku: 'apple', qty: 0, price: 1, admin: true }),
    );
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/qty must not be less than 1/);
  });

  it('gives a client without a session an empty cart under a fresh id', async () => {
    const response = await fetch(`${sample.url}/cart`, { headers: { 'session-id': 'made-up' } });
    expect(response.headers.get('session-id')).not.toBe('made-up');
    expect(await response.json()).toEqual({ items: [], total: 0 });
  });
});

describe('the web app (cookie mode, under /app/)', () => {
  const send = (method: string, path: string, body?: unknown, cookie?: string) =>
    fetch(sample.url + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** The `name=value` of the session cookie a response sets. */
  const sessionCookie = (response: Response) =>
    response.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-session='))
      ?.split(';')[0];

  it('serves the page with a Content-Security-Policy that allows no inline script', async () => {
    const page = await fetch(`${sample.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script src="/app.js" defer></script>');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>| on[a-z]+="/);
    const script = await fetch(`${sample.url}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("api('POST', '/app/login'");
  });

  it('sets no cookie and writes nothing for a visitor who has not signed in', async () => {
    const state = await send('GET', '/app/state');
    expect(state.headers.getSetCookie()).toEqual([]);
    expect(((await state.json()) as { name: string | null }).name).toBeNull();
    const refused = await send('POST', '/app/cart/items', { sku: 'apple' });
    expect(refused.status).toBe(401);
    expect(refused.headers.getSetCookie()).toEqual([]);
  });

  it('signs in under a __Host- cookie (HttpOnly, Secure, SameSite=Lax), never in a header', async () => {
    const login = await send('POST', '/app/login', { name: 'alice' });
    expect(login.status).toBe(200);
    const [setCookie] = login.headers.getSetCookie();
    expect(setCookie).toMatch(
      /^__Host-session=[A-Za-z0-9_.-]{43,}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(login.headers.get('session-id')).toBeNull();

    const cookie = sessionCookie(login)!;
    await send('POST', '/app/cart/items', { sku: 'apple', qty: 2 }, cookie);
    await send('POST', '/app/cart/items', { sku: 'pear' }, cookie);
    const removed = await send('DELETE', '/app/cart/items', { sku: 'apple' }, cookie);
    expect(await removed.json()).toMatchObject({
      name: 'alice',
      cart: { items: [{ sku: 'pear', name: 'Pear', qty: 1, price: 90, subtotal: 90 }], total: 90 },
    });

    const logout = await send('POST', '/app/logout', {}, cookie);
    expect(logout.headers.getSetCookie()).toEqual([expect.stringMatching(/^__Host-session=; Max-Age=0;/)]);
    const after = await send('GET', '/app/state', undefined, cookie);
    expect(((await after.json()) as { name: string | null }).name).toBeNull();
  });

  it('gives the log-in a new id: the cookie of before log-in is dead', async () => {
    const anonymous = sessionCookie(await send('POST', '/app/login', { name: 'carol' }))!;
    const again = await send('POST', '/app/login', { name: 'carol' }, anonymous);
    const loggedIn = sessionCookie(again)!;
    expect(loggedIn).not.toBe(anonymous);
    const old = await send('GET', '/app/state', undefined, anonymous);
    expect(((await old.json()) as { name: string | null }).name).toBeNull();
  });

  it('refuses a change sent as anything but JSON (a cross-site form can send text/plain)', async () => {
    const cookie = sessionCookie(await send('POST', '/app/login', { name: 'dave' }))!;
    const form = await fetch(`${sample.url}/app/cart/items`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie },
      body: JSON.stringify({ sku: 'apple' }),
    });
    expect(form.status).toBe(415);
  });

  it("lists a user's devices, and signs out one of them or all", async () => {
    const logIn = async (userAgent: string) =>
      sessionCookie(
        await fetch(`${sample.url}/app/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': userAgent },
          body: JSON.stringify({ name: 'frank' }),
        }),
      )!;
    type Devices = { devices: { ref: string; label: string; current: boolean }[] };
    const list = async (cookie: string) =>
      ((await (await send('GET', '/app/devices', undefined, cookie)).json()) as Devices).devices;
    const name = async (cookie: string) =>
      ((await (await send('GET', '/app/state', undefined, cookie)).json()) as { name: string | null }).name;

    const firefox = await logIn('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
    const curl = await logIn('curl/8.5.0');
    const seen = await list(firefox);
    expect(seen).toEqual([
      expect.objectContaining({ label: 'Firefox on Linux', current: true }),
      expect.objectContaining({ label: 'curl', current: false }),
    ]);

    const other = seen.find((d) => !d.current)!.ref;
    const revoked = await send('POST', '/app/devices/sign-out', { ref: other }, firefox);
    expect(((await revoked.json()) as Devices).devices).toHaveLength(1);
    expect(await name(curl)).toBeNull();
    expect(await name(firefox)).toBe('frank');

    const again = await logIn('curl/8.5.0');
    const everywhere = await send('POST', '/app/devices/sign-out-all', {}, firefox);
    expect(everywhere.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^__Host-session=; Max-Age=0;/),
    ]);
    expect(await name(again)).toBeNull();
    expect(await name(firefox)).toBeNull();
  });

  it('answers bad input with 400 and writes nothing', async () => {
    expect((await send('POST', '/app/login', { name: '<script>' })).status).toBe(400);
    const cookie = sessionCookie(await send('POST', '/app/login', { name: 'erin' }))!;
    expect((await send('POST', '/app/cart/items', { sku: 'gold' }, cookie)).status).toBe(400);
    expect((await send('POST', '/app/cart/items', { sku: 'apple', qty: 100 }, cookie)).status).toBe(400);
    const state = await send('GET', '/app/state', undefined, cookie);
    expect(await state.json()).toMatchObject({ name: 'erin', cart: { items: [], total: 0 } });
  });
});
