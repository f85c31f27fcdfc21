import { type APIGatewayProxyEventV2, type APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  lambdaHandler,
  listSessions,
  revokeAllSessions,
  revokeSession,
  Session,
  SessionContext,
  SessionData,
  type SessionDecoratorOptions,
} from '../../src';
import { Item } from '../cart/cart';
import { deviceLabel } from './device-label';
import { CATALOGUE, Shopper, USER_NAME } from './shopper';

type Result = APIGatewayProxyStructuredResultV2;

/**
 * Cookie mode, for a browser: the id travels only in a `__Host-` cookie (HttpOnly, Secure, SameSite=Lax, the
 * defaults), which the browser accepts only from a secure origin with `Path=/` and no `Domain`. `idHeader:
 * false` makes it cookie-only: a response header would be readable by the page's script. Browsers count
 * http://localhost as a secure origin, so this works on `npm start` too.
 */
const COOKIE_MODE = {
  cookie: { name: '__Host-session' },
  idHeader: false,
  ttl: 30 * 60,
} as const satisfies SessionDecoratorOptions;

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const SIGNED_OUT = { name: null, cart: { items: [], total: 0 }, catalogue: CATALOGUE };
const NOT_SIGNED_IN = json(401, { error: 'sign in first' });

/** What the page shows: who is signed in, the cart with names and subtotals, what can be added. */
const view = (shopper: Shopper) =>
  shopper.name === undefined
    ? SIGNED_OUT
    : {
        name: shopper.name,
        cart: {
          items: shopper.items.map((item) => ({
            sku: item.sku,
            name: CATALOGUE.find((product) => product.sku === item.sku)?.name ?? item.sku,
            qty: item.qty,
            price: item.price,
            subtotal: item.subtotal(),
          })),
          total: shopper.total(),
        },
        catalogue: CATALOGUE,
      };

/**
 * The web app's routes under /app/ (samples/web/api.ts), beside the JSON cart API of samples/cart, which keeps
 * the header mode. Same session class shape, a separate class of handlers: the options of a handler say how
 * its id travels.
 */
export class WebAppHandler {
  /** GET /app/state. Read-only; a visitor without a session gets the signed-out state and no cookie. */
  @Session({ ...COOKIE_MODE, update: false })
  async state(_event: APIGatewayProxyEventV2, @SessionData(Shopper) shopper: Shopper): Promise<Result> {
    return json(200, view(shopper));
  }

  /**
   * POST /app/login with `{ "name": "alice" }`. Any name, no password: a sample. `regenerate()` gives the
   * session a new id at the change of privilege, so an id seen or planted before log-in is dead at once, and
   * binds it to its owner, with a label for "your devices".
   */
  @Session({ ...COOKIE_MODE, update: true })
  async logIn(
    event: APIGatewayProxyEventV2,
    @SessionData(Shopper) shopper: Shopper,
    @SessionContext() session: SessionContext,
  ): Promise<Result> {
    const body = readJson(event);
    const name = typeof body?.name === 'string' ? body.name.trim() : undefined;
    if (name === undefined || !USER_NAME.test(name)) {
      return json(400, { error: 'a name of 1 to 40 letters, digits, spaces, dots, dashes or underscores' });
    }
    if (shopper.name !== name) shopper.items = []; // another user's cart is not this one's
    shopper.name = name;
    session.regenerate({ owner: name, label: deviceLabel(event.headers['user-agent']) });
    return json(200, view(shopper));
  }

  /** POST /app/logout: the session's item is deleted and its cookie cleared. */
  @Session(COOKIE_MODE)
  async logOut(_event: APIGatewayProxyEventV2, @SessionContext() session: SessionContext): Promise<Result> {
    session.destroy();
    return json(200, SIGNED_OUT);
  }

  /** POST /app/cart/items with `{ "sku": "apple", "qty": 1 }`; the price is the catalogue's. */
  @Session({ ...COOKIE_MODE, update: true })
  async addItem(event: APIGatewayProxyEventV2, @SessionData(Shopper) shopper: Shopper): Promise<Result> {
    if (shopper.name === undefined) return NOT_SIGNED_IN;
    const body = readJson(event);
    const product = CATALOGUE.find((p) => p.sku === body?.sku);
    if (!product) return json(400, { error: `sku must be one of ${CATALOGUE.map((p) => p.sku).join(', ')}` });
    const qty = body?.qty ?? 1;
    const inCart = shopper.items.find((line) => line.sku === product.sku)?.qty ?? 0;
    // Checked before the cart changes: with update: true, whatever the handler leaves in the session is written,
    // whatever it answers (and a quantity over 99 would fail the session's validation: a 500, not a 400).
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 1 || inCart + qty > 99) {
      return json(400, { error: 'qty must be a whole number, at most 99 of a product in the cart' });
    }
    shopper.add(Object.assign(new Item(), { sku: product.sku, qty, price: product.price }));
    return json(200, view(shopper));
  }

  /** DELETE /app/cart/items with `{ "sku": "apple" }`: the whole line. */
  @Session({ ...COOKIE_MODE, update: true })
  async removeItem(event: APIGatewayProxyEventV2, @SessionData(Shopper) shopper: Shopper): Promise<Result> {
    if (shopper.name === undefined) return NOT_SIGNED_IN;
    const sku = readJson(event)?.sku;
    if (typeof sku === 'string') shopper.remove(sku);
    return json(200, view(shopper));
  }

  /** GET /app/devices: the signed-in user's sessions ("your devices"), this one marked. */
  @Session({ ...COOKIE_MODE, update: false })
  async devices(
    _event: APIGatewayProxyEventV2,
    @SessionData(Shopper) shopper: Shopper,
    @SessionContext() session: SessionContext,
  ): Promise<Result> {
    if (shopper.name === undefined) return NOT_SIGNED_IN;
    return json(200, await devicesView(shopper.name, session));
  }

  /**
   * POST /app/devices/sign-out with `{ "ref": "…" }`: "sign out this device". Another device's session is
   * revoked (dead at its next request); this device's own is destroyed, which also clears its cookie.
   */
  @Session({ ...COOKIE_MODE, update: false })
  async signOutDevice(
    event: APIGatewayProxyEventV2,
    @SessionData(Shopper) shopper: Shopper,
    @SessionContext() session: SessionContext,
  ): Promise<Result> {
    if (shopper.name === undefined) return NOT_SIGNED_IN;
    const ref = readJson(event)?.ref;
    if (typeof ref !== 'string') return json(400, { error: 'ref must name a device of the list' });
    if (ref === session.ref) {
      session.destroy();
      return json(200, SIGNED_OUT);
    }
    await revokeSession(shopper.name, ref); // 'absent' too is fine: that device is signed out either way
    return json(200, { ...view(shopper), ...(await devicesView(shopper.name, session)) });
  }

  /** POST /app/devices/sign-out-all: "sign out everywhere", this device included. */
  @Session({ ...COOKIE_MODE, update: false })
  async signOutEverywhere(
    _event: APIGatewayProxyEventV2,
    @SessionData(Shopper) shopper: Shopper,
    @SessionContext() session: SessionContext,
  ): Promise<Result> {
    if (shopper.name === undefined) return NOT_SIGNED_IN;
    await revokeAllSessions(shopper.name);
    session.destroy(); // this one's item and cookie, now rather than at its next request
    return json(200, SIGNED_OUT);
  }
}

/** The owner's sessions for the page, this one first, then as listSessions() orders them: last used first. */
async function devicesView(owner: string, session: SessionContext) {
  const sessions = await listSessions(owner);
  const devices = sessions
    .map((s) => ({
      ref: s.ref,
      label: s.label ?? 'Unknown device',
      signedInAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      current: s.ref === session.ref,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current)); // stable: the rest stay most recently used first
  return { devices };
}

/** The body as a JSON object, or undefined when it is none. */
function readJson(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  try {
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : event.body;
    const body: unknown = JSON.parse(text ?? '');
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const web = new WebAppHandler();
export const state = lambdaHandler(web, 'state');
export const logIn = lambdaHandler(web, 'logIn');
export const logOut = lambdaHandler(web, 'logOut');
export const addItem = lambdaHandler(web, 'addItem');
export const removeItem = lambdaHandler(web, 'removeItem');
export const devices = lambdaHandler(web, 'devices');
export const signOutDevice = lambdaHandler(web, 'signOutDevice');
export const signOutEverywhere = lambdaHandler(web, 'signOutEverywhere');
