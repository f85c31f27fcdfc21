import { detectEventKind } from '../../src/transport/event-kind';
import { readHeaderValues, removeHeader } from '../../src/transport/headers';
import { eventWithHeader, fixtureNames, loadEvent } from '../support/events';

const ID = 'Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU';

describe('reading the id header', () => {
  const names = fixtureNames();

  it('has every kind of fixture to read', () => {
    const kinds = new Set(names.map((n) => detectEventKind(loadEvent(n))));
    expect([...kinds].sort()).toEqual([
      'alb',
      'alb-multi-value',
      'function-url',
      'http-v2',
      'rest-v1',
      'websocket',
    ]);
  });

  it.each(names)('finds the id in %s, whatever the case of the name', (name) => {
    const event = eventWithHeader(name, 'session-id', ID);
    expect(readHeaderValues(event, 'session-id')).toEqual([ID]);
    expect(readHeaderValues(event, 'SESSION-ID')).toEqual([ID]);
  });

  it.each(names)('finds no id in %s as captured', (name) => {
    expect(readHeaderValues(loadEvent(name), 'session-id')).toEqual([]);
  });

  it('reads a multi-value ALB event, which has no `headers`', () => {
    const event = eventWithHeader('alb-multivalue', 'session-id', ID);
    expect(event.headers).toBeUndefined();
    expect(readHeaderValues(event, 'session-id')).toEqual([ID]);
  });

  it('gives every value sent, in one source or across spellings (readClaim refuses two different ids)', () => {
    const event = { headers: { 'Session-Id': 'a'.repeat(43), 'session-id': 'b'.repeat(43) } };
    expect(readHeaderValues(event, 'session-id')).toEqual(['a'.repeat(43), 'b'.repeat(43)]);
    const multi = { multiValueHeaders: { 'session-id': ['a'.repeat(43), 'b'.repeat(43)] } };
    expect(readHeaderValues(multi, 'session-id')).toEqual(['a'.repeat(43), 'b'.repeat(43)]);
  });

  it('accepts the same id repeated in `headers` and `multiValueHeaders` (REST v1 carries both)', () => {
    const event = eventWithHeader('apigw-rest-v1', 'session-id', ID);
    expect(readHeaderValues(event, 'session-id')).toEqual([ID]);
  });

  it.each([
    ['no event', undefined],
    ['a string event', 'headers'],
    ['headers that are an array', { headers: ['session-id', ID] }],
    ['a value that is an object', { headers: { 'session-id': { toString: () => ID } } }],
    ['a value that is a number', { headers: { 'session-id': 42 } }],
    ['multi-value headers that are a string', { multiValueHeaders: { 'session-id': ID.split('') } }],
  ])('finds nothing usable in %s, without throwing', (_label, event) => {
    const values = readHeaderValues(event, 'session-id');
    expect(values.includes(ID)).toBe(false);
  });
});

describe('removing a response header', () => {
  it('deletes every spelling and gives back only the string values', () => {
    const headers: Record<string, unknown> = { 'Set-Cookie': ['a=1', 42], 'set-cookie': null, other: 'x' };
    expect(removeHeader(headers, 'set-cookie')).toEqual(['a=1']);
    expect(headers).toEqual({ other: 'x' });
  });
});
