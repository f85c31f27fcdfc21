// session-lambda's README scenarios and test cases, as class-style handlers.
import { type APIGatewayProxyEventV2 } from 'aws-lambda';
import { IsInt, IsOptional, Min } from 'class-validator';
import { lambdaHandler, Session, SessionData } from '../../src';
import { httpApiEvent } from '../support/events';
import { withFakeContext } from '../support/lambda';

class Counter {
  @IsOptional() @IsInt() @Min(0) value?: number;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };

/** The handler of the example: returns what it saw, then counts one up. */
export function counterHandler(update: boolean) {
  class Handler {
    @Session({ update, ttl: 900 })
    async handle(_event: APIGatewayProxyEventV2, @SessionData() counter: Counter): Promise<Response> {
      const seen = counter.value ?? null;
      counter.value = (counter.value ?? 0) + 1;
      return { statusCode: 200, headers: {}, body: JSON.stringify(seen) };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

/** An HTTP API event carrying `id` in the header `name`. */
export const withId = (id: string, name = 'session-id') => httpApiEvent({ [name]: id });

/** These rules need no look into the store: what the client sees is the whole claim. */
export function describeSessionLambdaRules(): void {
  describe("session-lambda's README scenarios", () => {
    async function clientAThenClientB(update: boolean): Promise<unknown[]> {
      const handler = counterHandler(update);
      const first = await handler(httpApiEvent());
      const id = first.headers['session-id']!;
      const bodies = [first.body];
      for (let i = 0; i < 3; i++) bodies.push((await handler(withId(id))).body);
      bodies.push((await handler(httpApiEvent())).body);
      return bodies.map((b) => JSON.parse(b));
    }

    it('update: false keeps the first value: null, 1, 1, 1, null', async () => {
      expect(await clientAThenClientB(false)).toEqual([null, 1, 1, 1, null]);
    });

    it('update: true writes every change: null, 1, 2, 3, null', async () => {
      expect(await clientAThenClientB(true)).toEqual([null, 1, 2, 3, null]);
    });
  });

  describe("session-lambda's test cases", () => {
    it('returns the id in the response headers, beside the handler own', async () => {
      class H {
        @Session()
        async handle() {
          return { statusCode: 200, headers: { 'Content-Type': 'application/json' } };
        }
      }
      const response = await new H().handle();
      expect(response.headers['Content-Type']).toBe('application/json');
      expect((response.headers as Record<string, string>)['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('returns the id inside a JSON-string response', async () => {
      class H {
        @Session()
        async handle(): Promise<string> {
          return JSON.stringify({ statusCode: 200, headers: { 'Content-Type': 'application/json' } });
        }
      }
      const response = JSON.parse(await new H().handle()) as Response;
      expect(response.headers['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(response.headers['Content-Type']).toBe('application/json');
    });

    it('reads and returns the id under a custom header name', async () => {
      class H {
        @Session({ idHeader: 'custom-session-id', update: true })
        async handle(_e: unknown, @SessionData() counter: Counter): Promise<Response> {
          counter.value = (counter.value ?? 0) + 1;
          return { statusCode: 200, headers: {}, body: String(counter.value) };
        }
      }
      const handle = withFakeContext(lambdaHandler(new H(), 'handle'));
      const first = await handle({});
      const id = first.headers['custom-session-id']!;
      expect(first.headers['session-id']).toBeUndefined();
      const second = await handle({ headers: { 'Custom-Session-Id': id } });
      expect(second.body).toBe('2');
    });

    it('gives a new session for a wrong id', async () => {
      const handler = counterHandler(true);
      const id = (await handler(httpApiEvent())).headers['session-id']!;
      const wrong = await handler(withId(id.slice(1)));
      expect(wrong.body).toBe('null');
      expect(wrong.headers['session-id']).not.toBe(id);
      const typo = await handler(withId((id[0] === 'A' ? 'B' : 'A') + id.slice(1)));
      expect(typo.body).toBe('null');
    });
  });
}
