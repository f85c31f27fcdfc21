// What the library logs over a whole session's life, captured: hashed id prefixes only, never ids or data.
import { IsString, MaxLength } from 'class-validator';
import {
  hashSessionId,
  lambdaHandler,
  Session,
  SessionContext,
  SessionData,
  type SessionLogger,
} from '../../src';
import { type EngineStore } from '../support/engine-store';
import { cookieValue } from '../support/events';
import { withFakeContext } from '../support/lambda';

class Secretive {
  @IsString() @MaxLength(40) note = '';
}

const DATA_MARKER = 'TOP-SECRET-DATA-7f3a';
type Step = (data: Secretive, session: SessionContext) => void;
type Invoke = (event: unknown) => Promise<Record<string, unknown>>;

export function describeLoggingRules(local: EngineStore): void {
  describe('logging', () => {
    it('logs every step by hash prefix and never a raw id or session data', async () => {
      const lines: { level: string; args: unknown[] }[] = [];
      const logger = Object.fromEntries(
        (['debug', 'info', 'warn', 'error'] as const).map((level) => [
          level,
          (...args: unknown[]) => lines.push({ level, args }),
        ]),
      ) as unknown as SessionLogger;
      local.configure({ logger, cookie: { name: 'sid' }, touchAfter: 0 });

      const run = (step: Step): Invoke => {
        class Handler {
          @Session({ update: true })
          async handle(
            _e: unknown,
            @SessionData() data: Secretive,
            @SessionContext() session: SessionContext,
          ) {
            step(data, session);
            return { statusCode: 200, headers: {} };
          }
        }
        return withFakeContext(lambdaHandler(new Handler(), 'handle'));
      };
      const withCookie = (id: string) => ({ version: '2.0', headers: {}, cookies: [`sid=${id}`] });

      const ids: string[] = [];
      const first = await run((d) => (d.note = DATA_MARKER))({ version: '2.0', headers: {} });
      ids.push(cookieValue(first, 'sid')!);
      await run(() => {})(withCookie(ids[0]!)); // read, unchanged: an expiry slide
      await expect(run((d) => (d.note = DATA_MARKER.repeat(5)))(withCookie(ids[0]!))).rejects.toThrow(); // invalid
      const regenerated = await run((_d, s) => s.regenerate())(withCookie(ids[0]!));
      ids.push(cookieValue(regenerated, 'sid')!);
      await run((_d, s) => s.destroy())(withCookie(ids[1]!));
      await run(() => {})({ headers: { 'session-id': 'not-a-valid-id' } });
      await run(() => {})(withCookie(ids[0]!)); // the dead id: not found

      const text = JSON.stringify(lines);
      for (const id of ids) expect(text).not.toContain(id);
      expect(text).not.toContain(DATA_MARKER);
      expect(text).not.toContain('not-a-valid-id');
      expect(text).toContain(hashSessionId(ids[0]!).slice(0, 10));
      const messages = lines.map((l) => l.args[0]);
      expect(messages).toEqual(
        expect.arrayContaining([
          'lambda-sessions: new session',
          'lambda-sessions: session saved',
          'lambda-sessions: session expiry slid',
          'lambda-sessions: session data invalid, nothing written',
          'lambda-sessions: session regenerated',
          'lambda-sessions: session destroyed',
          'lambda-sessions: malformed session id ignored',
          'lambda-sessions: session not found',
        ]),
      );
    });
  });
}
