// The sample shop's page script: plain DOM, no framework, no inline script (the page's Content-Security-Policy
// allows scripts from this origin only). It never touches the session id: the browser sends the HttpOnly cookie
// with each same-origin fetch. Text goes in with textContent only, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

/** Calls the web app's JSON API; rejects with the server's error message. */
async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (method !== 'GET') {
    // The API refuses changes sent as anything but JSON (see samples/web/api.ts).
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

const money = (cents) => (cents / 100).toFixed(2);

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function say(message) {
  $('status').textContent = message;
}

/** Shows the state the server answered: signed out (the log-in form) or signed in (the cart). */
function render(state) {
  const signedIn = state.name !== null;
  $('login').hidden = signedIn;
  $('shop').hidden = !signedIn;
  $('whoami').hidden = !signedIn;
  $('devices').hidden = !signedIn;
  if (state.devices) renderDevices(state.devices);
  if (!signedIn) return;
  $('user-name').textContent = state.name;

  $('catalogue').replaceChildren(
    ...state.catalogue.map((product) => {
      const button = element('button', 'Add', { type: 'button', 'data-add': product.sku });
      const item = element('li');
      item.append(element('span', `${product.name}, ${money(product.price)} `), button);
      return item;
    }),
  );

  const { items, total } = state.cart;
  $('cart-empty').hidden = items.length > 0;
  $('cart').hidden = items.length === 0;
  $('cart-lines').replaceChildren(
    ...items.map((line) => {
      const row = element('tr', undefined, { 'data-sku': line.sku });
      const remove = element('td');
      remove.append(element('button', 'Remove', { type: 'button', 'data-remove': line.sku }));
      row.append(
        element('td', line.name),
        element('td', String(line.qty), { class: 'number' }),
        element('td', money(line.price), { class: 'number' }),
        element('td', money(line.subtotal), { class: 'number' }),
        remove,
      );
      return row;
    }),
  );
  $('cart-total').textContent = money(total);
}

const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Your devices": one line per session of the signed-in user, each with its own sign-out. */
function renderDevices(devices) {
  $('device-list').replaceChildren(
    ...devices.map((device) => {
      const item = element('li', undefined, { 'data-ref': device.ref });
      if (device.current) item.setAttribute('data-current', '');
      const about = element('span');
      about.append(element('strong', device.label));
      if (device.current) about.append(element('span', 'this device', { class: 'badge' }));
      about.append(
        element('br'),
        element('span', `signed in ${when(device.signedInAt)}, last used ${when(device.lastUsedAt)}`, {
          class: 'meta',
        }),
      );
      const button = element('button', 'Sign out', { type: 'button', 'data-sign-out': device.ref });
      item.append(about, button);
      return item;
    }),
  );
}

/** Fetches "your devices" after the rest of the page is shown. */
async function loadDevices() {
  try {
    renderDevices((await api('GET', '/app/devices')).devices);
  } catch (error) {
    say(error.message);
  }
}

/**
 * Runs an action, then shows what it answered (with "your devices" fetched afresh if `withDevices`), or its
 * error. `data-state` on the body says the page is done: signed-in or signed-out.
 */
async function act(action, { withDevices = false } = {}) {
  say('');
  try {
    const state = await action();
    render(state);
    if (withDevices && state.name !== null && !state.devices) await loadDevices();
  } catch (error) {
    say(error.message);
  }
  document.body.dataset.state = $('shop').hidden ? 'signed-out' : 'signed-in';
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(() => api('POST', '/app/login', { name: $('login-name').value }), { withDevices: true });
  });
  $('logout').addEventListener('click', () => act(() => api('POST', '/app/logout')));
  $('catalogue').addEventListener('click', (event) => {
    const sku = event.target.dataset?.add;
    if (sku) act(() => api('POST', '/app/cart/items', { sku, qty: 1 }));
  });
  $('cart-lines').addEventListener('click', (event) => {
    const sku = event.target.dataset?.remove;
    if (sku) act(() => api('DELETE', '/app/cart/items', { sku }));
  });
  $('device-list').addEventListener('click', (event) => {
    const ref = event.target.dataset?.signOut;
    if (ref) act(() => api('POST', '/app/devices/sign-out', { ref }));
  });
  $('sign-out-everywhere').addEventListener('click', () =>
    act(() => api('POST', '/app/devices/sign-out-all')),
  );
  act(() => api('GET', '/app/state'), { withDevices: true });
});
