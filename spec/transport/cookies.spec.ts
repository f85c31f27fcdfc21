import { readCookie } from '../../src/transport/cookies';
import { eventWithCookie, fixtureNames, loadEvent } from '../support/events';

const ID = 'Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU';

describe('reading the session cookie', () => {
  it.each(fixtureNames())('finds it in %s beside the cookies already there', (name) => {
    expect(readCookie(eventWithCookie(name, 'sid', ID), 'sid')).toBe(ID);
  });

  it('reads the cookies the real captures carry, in every shape', () => {
    expect(readCookie(loadEvent('apigw-http-v2'), 'regStatus')).toBe('pre-register');
    expect(readCookie(loadEvent('function-url'), 'hello')).toBe('hello');
    expect(readCookie(loadEvent('apigw-rest-v1-multivalue'), 'regStatus')).toBe('pre-register');
    expect(readCookie(loadEvent('alb-multivalue-with-cookie'), 'name1')).toBe('value1');
  });

  it('reads a Function URL cookie from the cookies array, not twice from the header as well', () => {
    const event = loadEvent('function-url');
    event.cookies = ['foo=from-array'];
    expect(readCookie(event, 'foo')).toBe('from-array');
  });

  it('reads the second Cookie header of a multi-value ALB request', () => {
    expect(readCookie(loadEvent('alb-multivalue-with-cookie'), 'name2')).toBe('value2');
  });

  it('survives cookies without `=`, empty pairs and a trailing `;`', () => {
    expect(readCookie(loadEvent('apigw-http-v2-docs-example'), 'cookie1')).toBeUndefined();
    expect(readCookie(loadEvent('alb-with-cookie'), 'cookies')).toBeUndefined();
    expect(readCookie({ headers: { Cookie: ';; sid=abc;; ;' } }, 'sid')).toBe('abc');
  });

  it('takes the first of two cookies of one name, as browsers send the most specific first', () => {
    expect(readCookie({ headers: { cookie: 'sid=first; sid=second' } }, 'sid')).toBe('first');
  });
});
