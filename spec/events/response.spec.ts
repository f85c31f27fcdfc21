import { decorateResponse } from '../../src/events/response';
import { type EventKind } from '../../src/events/event-kind';

const withResponseHeader = (response: unknown, kind: EventKind, name: string, value: string) =>
  decorateResponse(response, kind, { header: { name, value } });

describe('putting the id in the response', () => {
  it('adds the header to an object response and keeps the handler own headers', () => {
    const response = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    expect(withResponseHeader(response, 'http-v2', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'session-id': 'ID' },
      body: 'ok',
    });
  });

  it('never mutates what the handler returned (it may be a shared constant)', () => {
    const shared = Object.freeze({ statusCode: 204, headers: Object.freeze({ a: 'b' }) });
    const out = withResponseHeader(shared, 'rest-v1', 'session-id', 'ID') as typeof shared;
    expect(shared.headers).toEqual({ a: 'b' });
    expect(out.headers).toEqual({ a: 'b', 'session-id': 'ID' });
  });

  it('gives a proxy response without headers a headers object', () => {
    expect(withResponseHeader({ statusCode: 200 }, 'rest-v1', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      headers: { 'session-id': 'ID' },
    });
  });

  it('replaces a header the handler set under another case, so the client sees one', () => {
    const out = withResponseHeader({ headers: { 'Session-Id': 'forged' } }, 'rest-v1', 'session-id', 'ID');
    expect(out).toEqual({ headers: { 'session-id': 'ID' } });
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
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'session-id': ['ID'] },
    });
    expect(withResponseHeader({ statusCode: 200 }, 'alb-multi-value', 'session-id', 'ID')).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'session-id': ['ID'] },
    });
  });

  it('updates a JSON-string response holding headers', () => {
    const out = withResponseHeader(JSON.stringify({ headers: {} }), 'rest-v1', 'session-id', 'ID');
    expect(JSON.parse(out as string)).toEqual({ headers: { 'session-id': 'ID' } });
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
