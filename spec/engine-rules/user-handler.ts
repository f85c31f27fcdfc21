// The handler the log-in rules (seeds, chains) share: a user's session, read and written by a decorated method
// that answers with the data as it was before its action ran.
import { IsOptional, IsString } from 'class-validator';
import { lambdaHandler, Session, SessionContext, SessionData, type SessionOptions } from '../../src';
import { withFakeContext } from '../support/lambda';

export class UserSession {
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() theme?: string;
}

export type Action = (data: UserSession, session: SessionContext) => unknown;
export type Response = { statusCode: number; headers: Record<string, string>; body: string };

/** A `@Session({ update: true, ...options })` handler that runs `act` and answers with the data it was given. */
export function userHandler(options: SessionOptions, act: Action = () => {}) {
  class Handler {
    @Session({ update: true, ...options })
    async handle(
      _event: unknown,
      @SessionData() data: UserSession,
      @SessionContext() session: SessionContext,
    ): Promise<Response> {
      const seen = JSON.stringify(data);
      await act(data, session);
      return { statusCode: 200, headers: {}, body: seen };
    }
  }
  return withFakeContext(lambdaHandler(new Handler(), 'handle'));
}

export const header = (id: string) => ({ headers: { 'session-id': id } });
/** What the session held when the handler was called. */
export const seen = (response: Response) => JSON.parse(response.body) as UserSession;
