import { type IdChannels } from '../../src/transport/claim';
import { resolveCookie } from '../../src/transport/cookies';
import { type EventKind } from '../../src/transport/event-kind';
import { decorateResponse, idCarriageProblem, prepareResponse } from '../../src/transport/response';

const withResponseHeader = (response: unknown, kind: EventKind, name: string, value: string) =>
  decorateResponse(response, kind, { header: { name, value } });
/** What every response that carries the id gets, unless the handler set its own Cache-Control. */
const NO_STORE = { 'Cache-Control': 'no-store' };
const NO_STORE_MULTI = { 'Cache-Control': ['no-store'] };

describe('putting the id in the response', () => {
  it('adds the header to an object response and keeps the handler own headers', () => {
    const response = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    expect(withResponseHeader(response, 'http-v2', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'session-id': 'ID', ...NO_STORE },
      body: 'ok',
    });
  });

  it('never mutates what the handler returned (it may be a shared constant)', () => {
    const shared = Object.freeze({ statusCode: 204, headers: Object.freeze({ a: 'b' }) });
    const out = withResponseHeader(shared, 'rest-v1', 'session-id', 'ID') as typeof shared;
    expect(shared.headers).toEqual({ a: 'b' });
    expect(out.headers).toEqual({ a: 'b', 'session-id': 'ID', ...NO_STORE });
  });

  it('gives a proxy response without headers a headers object', () => {
    expect(withResponseHeader({ statusCode: 200 }, 'rest-v1', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      headers: { 'session-id': 'ID', ...NO_STORE },
    });
  });

  it('replaces a header the handler set under another case, so the client sees one', () => {
    const out = withResponseHeader({ headers: { 'Session-Id': 'forged' } }, 'rest-v1', 'session-id', 'ID');
    expect(out).toEqual({ headers: { 'session-id': 'ID', ...NO_STORE } });
  });

  it("drops the id header's other spellings from a shared constant's headers and multiValueHeaders, keeping the rest in order", () => {
    const shared = Object.freeze({
      statusCode: 200,
      headers: Object.freeze({ a: '1', 'SESSION-ID': 'forged', b: '2' }),
      multiValueHeaders: Object.freeze({ 'Session-Id': ['forged'], c: ['3'] }),
    });

    const out = withResponseHeader(shared, 'rest-v1', 'session-id', 'ID') as typeof shared;

    expect(Object.keys(out.headers)).toEqual(['a', 'b', 'session-id', 'Cache-Control']);
    expect(out.multiValueHeaders).toEqual({ c: ['3'] });
    expect(shared.headers).toEqual({ a: '1', 'SESSION-ID': 'forged', b: '2' });
  });

  it('answers a multi-value ALB request in multiValueHeaders, which is all it reads', () => {
    const out = withResponseHeader(
      { statusCode: 200, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] } },
      'alb-multi-value',
      'session-id',
      'ID',
    );
    expect(out).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'session-id': ['ID'], ...NO_STORE_MULTI },
    });
    expect(withResponseHeader({ statusCode: 200 }, 'alb-multi-value', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'session-id': ['ID'], ...NO_STORE_MULTI },
    });
  });

  it('answers in multiValueHeaders a REST v1 response that has only those', () => {
    const out = withResponseHeader(
      { statusCode: 200, multiValueHeaders: { 'x-trace': ['a'] } },
      'rest-v1',
      'session-id',
      'ID',
    );
    expect(out).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'x-trace': ['a'], 'session-id': ['ID'], ...NO_STORE_MULTI },
    });
  });

  it.each([
    ['a JSON string', JSON.stringify('hello')],
    ['a JSON array', JSON.stringify([{ headers: {} }])],
    ['a JSON number', '42'],
  ])('leaves a text response that is %s unchanged', (_label, text) => {
    expect(withResponseHeader(text, 'rest-v1', 'session-id', 'ID')).toBe(text);
  });

  it('updates a JSON-string response holding headers', () => {
    const out = withResponseHeader(JSON.stringify({ headers: {} }), 'rest-v1', 'session-id', 'ID');
    expect(JSON.parse(out as string)).toEqual({ headers: { 'session-id': 'ID', ...NO_STORE } });
  });

  it.each([
    ['a plain-text body', 'hello'],
    ['a JSON body that is not a response', JSON.stringify({ items: [] })],
    ['an object that an HTTP API sends as the body', { items: [1, 2] }],
    ['undefined', undefined],
    ['an array', [1, 2]],
  ])('leaves %s unchanged: adding headers would change what the client receives', (_label, response) => {
    expect(withResponseHeader(response, 'http-v2', 'session-id', 'ID')).toEqual(response);
  });
});

describe('putting the session cookie in the response', () => {
  const cookie = 'sid=ID; Path=/; HttpOnly; Secure; SameSite=Lax';
  const withCookie = (response: unknown, kind: EventKind) =>
    decorateResponse(response, kind, { setCookie: cookie });

  it.each(['http-v2', 'function-url'] as const)(
    'appends to the cookies array for %s, keeping the handler own',
    (kind) => {
      expect(withCookie({ statusCode: 200, cookies: ['theme=dark'] }, kind)).toEqual({
        statusCode: 200,
        cookies: ['theme=dark', cookie],
        headers: NO_STORE,
      });
    },
  );

  it('uses multiValueHeaders for REST v1, moving a handler Set-Cookie out of headers so both survive', () => {
    const out = withCookie({ statusCode: 200, headers: { 'set-cookie': 'theme=dark', a: 'b' } }, 'rest-v1');
    expect(out).toEqual({
      statusCode: 200,
      headers: { a: 'b', ...NO_STORE },
      multiValueHeaders: { 'Set-Cookie': ['theme=dark', cookie] },
    });
  });

  it('keeps every cookie a REST v1 handler set in multiValueHeaders, in one list under Set-Cookie', () => {
    const out = withCookie(
      { statusCode: 200, multiValueHeaders: { 'set-cookie': ['theme=dark', 'lang=en'] } },
      'rest-v1',
    );
    expect(out).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'Set-Cookie': ['theme=dark', 'lang=en', cookie], ...NO_STORE_MULTI },
    });
  });

  it('answers a multi-value ALB in multiValueHeaders and a single-value one in headers', () => {
    expect(withCookie({ statusCode: 200 }, 'alb-multi-value')).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'set-cookie': [cookie], ...NO_STORE_MULTI },
    });
    expect(withCookie({ statusCode: 200 }, 'alb')).toEqual({
      statusCode: 200,
      headers: { 'set-cookie': cookie, ...NO_STORE },
    });
  });

  it('refuses to drop a handler cookie on a single-value ALB, which can send only one', () => {
    expect(() => withCookie({ statusCode: 200, headers: { 'Set-Cookie': 'theme=dark' } }, 'alb')).toThrow(
      /enable multi-value headers on the target group/,
    );
  });

  it('sends no Set-Cookie on a WebSocket handshake, where AWS documents none', () => {
    expect(withCookie({ statusCode: 200 }, 'websocket')).toEqual({ statusCode: 200 });
  });
});

describe('what AWS reads as a response, per event kind', () => {
  const additions = { header: { name: 'session-id', value: 'ID' }, setCookie: 'sid=ID; Path=/' };
  const bare: [string, unknown][] = [
    ['an object with headers and no statusCode', { subject: 'hi', headers: { a: 'b' } }],
    ['an object with cookies and no statusCode', { cookies: [], theme: 'dark' }],
    ['a statusCode that is not a number', { statusCode: '200', headers: {} }],
    ['JSON text of a response, which is a string', JSON.stringify({ statusCode: 200, headers: {} })],
  ];

  it.each(['http-v2', 'function-url'] as const)(
    'for %s, only an object with a numeric statusCode: anything else is the body',
    (kind) => {
      for (const [, response] of bare) expect(decorateResponse(response, kind, additions)).toBe(response);
      expect(decorateResponse({ statusCode: 200 }, kind, additions)).toMatchObject({
        headers: { 'session-id': 'ID' },
        cookies: ['sid=ID; Path=/'],
      });
    },
  );

  it.each(['rest-v1', 'alb', 'unknown'] as const)(
    'for %s, which infer nothing, an object with headers, or JSON text of one',
    (kind) => {
      const [, withHeaders] = bare[0]!;
      expect(decorateResponse(withHeaders, kind, { header: additions.header })).toMatchObject({
        headers: { a: 'b', 'session-id': 'ID' },
      });
      const [, text] = bare[3]!;
      expect(JSON.parse(decorateResponse(text, kind, { header: additions.header }) as string)).toMatchObject({
        headers: { 'session-id': 'ID' },
      });
    },
  );

  it('for a WebSocket message, nothing: it gets no HTTP response', () => {
    const response = { statusCode: 200, headers: {} };
    expect(decorateResponse(response, 'websocket-message', additions)).toBe(response);
  });
});

describe('whether the response can take the id to the client', () => {
  const header = { header: 'session-id', cookie: undefined };
  const cookieOnly = { header: undefined, cookie: resolveCookie({ name: 'sid' }, 'spec') };
  const problem = (response: unknown, kind: EventKind, channels: IdChannels) =>
    idCarriageProblem(prepareResponse(response, kind, channels.cookie !== undefined), channels);

  it('can, on a response object and an open channel', () => {
    expect(problem({ statusCode: 200 }, 'http-v2', cookieOnly)).toBeUndefined();
    expect(problem({ statusCode: 200 }, 'rest-v1', header)).toBeUndefined();
    expect(problem({ statusCode: 200 }, 'websocket', header)).toBeUndefined();
  });

  it('cannot, and says why, on a bare result, a WebSocket message, or a handshake with only the cookie', () => {
    expect(problem({ subject: 'hi' }, 'function-url', header)).toMatch(/without a numeric statusCode/);
    expect(problem('hello', 'rest-v1', header)).toMatch(/not a response object/);
    expect(problem({ statusCode: 200 }, 'websocket-message', header)).toMatch(/no HTTP response/);
    expect(problem({ statusCode: 200 }, 'websocket', cookieOnly)).toMatch(/carries no Set-Cookie/);
  });
});

describe('Cache-Control on a response that carries the id', () => {
  const additions = { header: { name: 'session-id', value: 'ID' } };

  it.each([
    ['headers', { statusCode: 200, headers: { 'CACHE-control': 'private' } }],
    ['multiValueHeaders', { statusCode: 200, multiValueHeaders: { 'cache-control': ['private'] } }],
  ])('keeps the handler own, in %s, in any case, and adds none', (_label, response) => {
    const out = decorateResponse(response, 'rest-v1', additions);
    expect(JSON.stringify(out).match(/cache-control/gi)).toHaveLength(1);
    expect(JSON.stringify(out)).not.toContain('no-store');
  });

  it('adds none when nothing is added (a WebSocket handshake with only the cookie)', () => {
    expect(decorateResponse({ statusCode: 200 }, 'websocket', { setCookie: 'sid=ID' })).toEqual({
      statusCode: 200,
    });
  });
});

describe("a handler's own Cache-Control on a response carrying the id", () => {
  it('is made private where a shared cache could keep it, and left alone where it cannot', () => {
    const sent = (value: unknown) =>
      (
        withResponseHeader(
          { statusCode: 200, headers: { 'cache-control': value } },
          'http-v2',
          'session-id',
          'ID',
        ) as { headers: Record<string, unknown> }
      ).headers['cache-control'];
    expect(sent('public, max-age=300')).toBe('private, max-age=300');
    expect(sent('private, max-age=60')).toBe('private, max-age=60');
    expect(sent('no-store')).toBe('no-store');
    expect(sent(42)).toBe(42); // no string: nothing to read, passed on as the handler gave it
  });

  it('makes every spelling of it private, in headers and multiValueHeaders alike', () => {
    const response = decorateResponse(
      {
        statusCode: 200,
        headers: { 'Cache-Control': 'public', 'cache-control': 'max-age=60' },
        multiValueHeaders: { 'CACHE-CONTROL': ['public, max-age=300'] },
      },
      'rest-v1',
      { header: { name: 'session-id', value: 'ID' } },
    );
    expect(response).toMatchObject({
      headers: { 'Cache-Control': 'private', 'cache-control': 'private, max-age=60' },
      multiValueHeaders: { 'CACHE-CONTROL': ['private, max-age=300'] },
    });
  });
});
