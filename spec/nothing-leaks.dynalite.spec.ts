// What a whole session's life prints when its handler logs everything it can reach, against DynamoDB (dynalite
// in-process, behind a proxy that returns the winning item with a failed condition, as DynamoDB does): in each
// adapter, create, update, regenerate, regenerate({ owner }), an invalid write, a lost race and destroy. Every
// object the handler can reach (event, Lambda context, middy's request and context, the lifecycle handle, the
// session data) and every error the adapter throws goes through JSON.stringify, util.inspect (depth Infinity),
// console.log, Powertools' Logger and pino. None prints the secret, in any encoding; none but the event (and
// middy's request, which holds it) prints an id, and the event only the one its request carried; none but the
// data object prints session data.
import { type Context } from 'aws-lambda';
import { IsString, MaxLength } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  configureSessions,
  getSessionContext,
  getSessionData,
  lambdaHandler,
  Session,
  SessionConflictError,
  SessionContext,
  SessionData,
  SessionValidationError,
  withSession,
} from '../src';
import { type SessionLambdaContext, sessionMiddleware, type SessionMiddlewareRequest } from '../src/middy';
import { startDynalite, useSessionTable } from './support/dynalite';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';
import { fakeContext } from './support/lambda';
import { printed } from './support/printed';

class Profile {
  @IsString() @MaxLength(40) name = '';
  @IsString() @MaxLength(40) note = '';
}

const SECRET = randomBytes(32);
/** The secret as each encoding prints it (a prefix, where a printer may cut it short). */
const SECRET_FORMS = {
  utf8: SECRET.toString('utf8'),
  hex: SECRET.toString('hex'),
  base64: SECRET.toString('base64'),
  base64url: SECRET.toString('base64url'),
  'inspected Buffer': [...SECRET.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  'JSON Buffer': `[${[...SECRET.subarray(0, 8)].join(',')}`,
};
const DATA = { name: 'name-MARKER-1', note: 'note-MARKER-2', winner: 'winner-MARKER-3', bad: 'bad-MARKER-4' };

/**
 * What one invocation's handler could reach, or the adapter threw, by name, and what each prints (by printer),
 * printed when the handler runs, as it would log them.
 */
type Phase = 'before' | 'after';

interface Reached {
  readonly step: string;
  readonly carried: string | undefined;
  readonly objects: Record<string, unknown>;
  readonly printed: Record<string, Record<string, string>>;
}

type Step = (
  data: Profile,
  session: SessionContext,
  again: (id: string, step: Step) => Promise<unknown>,
) => void | Promise<void>;

/** An adapter's handler, invoked with a step to run inside it; `reach` gets what the handler reached. */
type Adapter = (
  event: { headers: Record<string, string> },
  step: Step,
  reach: (objects: Record<string, unknown>, when: Phase) => void,
) => Promise<{ headers?: Record<string, string> }>;

const response = () => ({ statusCode: 200, headers: {} as Record<string, string> });

function decoratorAdapter(): Adapter {
  let current: {
    step: Step;
    reach: (o: Record<string, unknown>, when: Phase) => void;
    again: (id: string, s: Step) => Promise<unknown>;
  };
  class ProfileHandler {
    @Session({ update: true })
    async handle(
      event: { headers: Record<string, string> },
      @SessionData() data: Profile,
      @SessionContext() session: SessionContext,
      context: Context,
    ) {
      const { step, reach, again } = current;
      const objects = { event, 'Lambda context': context, 'session data': data, SessionContext: session };
      reach(objects, 'before');
      await step(data, session, again);
      reach(objects, 'after');
      return response();
    }
  }
  const entry = lambdaHandler(new ProfileHandler(), 'handle');
  const adapter: Adapter = (event, step, reach) => {
    const outer = current;
    current = { step, reach, again: (id, s) => adapter({ headers: { 'session-id': id } }, s, reach) };
    return entry(event, fakeContext()).finally(() => (current = outer));
  };
  return adapter;
}

function withSessionAdapter(): Adapter {
  let current: {
    step: Step;
    reach: (o: Record<string, unknown>, when: Phase) => void;
    again: (id: string, s: Step) => Promise<unknown>;
  };
  const entry = withSession(
    async (event: { headers: Record<string, string> }, context: Context) => {
      const { step, reach, again } = current;
      const data = getSessionData<Profile>();
      const session = getSessionContext();
      const objects = {
        event,
        'Lambda context': context,
        'session data': data,
        'getSessionContext()': session,
      };
      reach(objects, 'before');
      await step(data, session, again);
      reach(objects, 'after');
      return response();
    },
    { type: Profile, update: true },
  );
  const adapter: Adapter = (event, step, reach) => {
    const outer = current;
    current = { step, reach, again: (id, s) => adapter({ headers: { 'session-id': id } }, s, reach) };
    return entry(event, fakeContext()).finally(() => (current = outer));
  };
  return adapter;
}

/** middy's order, as middy runs it: before, the handler, after (onError when something threw). */
function middyAdapter(): Adapter {
  const middleware = sessionMiddleware({ type: Profile, update: true });
  const adapter: Adapter = async (event, step, reach) => {
    const request: SessionMiddlewareRequest & { error?: unknown; internal: object } = {
      event,
      context: fakeContext(),
      response: undefined,
      internal: {},
    };
    try {
      await middleware.before(request);
      const context = request.context as SessionLambdaContext<Profile>;
      const objects = {
        event,
        'middy request': request,
        'Lambda context': context,
        'context.session': context.session,
        'context.session.lifecycle': context.session.lifecycle,
        'session data': context.session.data,
      };
      reach(objects, 'before');
      await step(context.session.data, context.session.lifecycle, (id, s) =>
        adapter({ headers: { 'session-id': id } }, s, reach),
      );
      reach(objects, 'after');
      request.response = response();
      await middleware.after(request);
      return request.response as { headers?: Record<string, string> };
    } catch (error) {
      request.error = error;
      middleware.onError(request);
      throw error;
    }
  };
  return adapter;
}

const local = useSessionTable(startDynalite);
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(local.dynamo.endpoint, { oldItemOnConditionFailure: true });
});
afterAll(() => proxy.close());
beforeEach(() => {
  configureSessions({
    tableName: local.tableName,
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    idSecret: SECRET,
  });
});

const printedAll = (objects: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(objects).map(([name, value]) => [name, printed(value)]));

/** The whole life of one session in `adapter`: what each step reached, and the ids it had. */
async function life(adapter: Adapter): Promise<{ reached: Reached[]; ids: string[] }> {
  const reached: Reached[] = [];
  const ids: string[] = [];
  const run = async (
    step: string,
    carried: string | undefined,
    body: Step,
    expected?: new (...a: never[]) => Error,
  ) => {
    const headers: Record<string, string> = carried ? { 'session-id': carried } : {};
    const event = { headers };
    const reach = (objects: Record<string, unknown>, when: Phase) =>
      reached.push({ step: `${step}, ${when} the step`, carried, objects, printed: printedAll(objects) });
    try {
      const result = await adapter(event, body, reach);
      if (expected) throw new Error(`${step}: expected ${expected.name}`);
      const id = result.headers?.['session-id'];
      if (id && !ids.includes(id)) ids.push(id);
      return id;
    } catch (error) {
      if (!expected || !(error instanceof expected)) throw error;
      const objects = { [`thrown ${error.name}`]: error };
      reached.push({ step, carried, objects, printed: printedAll(objects) });
      return carried;
    }
  };

  const created = await run('create', undefined, (data) => void (data.name = DATA.name));
  await run('update', created, (data) => void (data.note = DATA.note));
  const regenerated = await run('regenerate()', created, (_data, session) => session.regenerate());
  const owned = await run('regenerate({ owner })', regenerated, (_d, session) =>
    session.regenerate({ owner: 'user-42', label: DATA.name }),
  );
  await run(
    'invalid write',
    owned,
    (data) => void (data.note = `${DATA.bad}\n`.repeat(10)),
    SessionValidationError,
  );
  await run(
    'lost race',
    owned,
    async (data, _session, again) => {
      await again(owned!, (winner) => void (winner.note = DATA.winner)); // another request writes first
      data.note = 'the loser';
    },
    SessionConflictError,
  );
  await run('destroy', owned, (_data, session) => session.destroy());
  return { reached, ids };
}

/**
 * What a printout must not contain: every id but the one the request carried (for its event, and middy's request,
 * which holds the event), the secret, data.
 */
function forbidden(name: string, reachedStep: Reached, ids: string[]): [string, string][] {
  const isEvent = name === 'event' || name === 'middy request';
  return [
    ...ids
      .filter((id) => !(isEvent && id === reachedStep.carried))
      .map((id): [string, string] => ['an id', id]),
    ...Object.entries(SECRET_FORMS).map(([encoding, form]): [string, string] => [
      `the secret (${encoding})`,
      form,
    ]),
    ...(name === 'session data'
      ? []
      : Object.values(DATA).map((marker): [string, string] => ['session data', marker])),
  ];
}

const listing: string[] = [];

describe.each([
  ['@Session() with @SessionContext()', decoratorAdapter],
  ['withSession() with getSessionContext()', withSessionAdapter],
  ['the middy middleware', middyAdapter],
])('a whole session life in %s', (adapterName, makeAdapter) => {
  it('prints no id, secret or data of the session from anything its handlers can reach or it throws', async () => {
    const { reached, ids } = await life(makeAdapter());

    expect(ids).toHaveLength(3); // created, regenerated, owned
    const leaks: string[] = [];
    for (const step of reached) {
      for (const [name, forms] of Object.entries(step.printed)) {
        listing.push(`${adapterName} | ${step.step} | ${name} | ${forms['JSON.stringify']}`);
        for (const [printer, text] of Object.entries(forms)) {
          for (const [what, needle] of forbidden(name, step, ids)) {
            if (text.includes(needle)) leaks.push(`${step.step}: ${name} through ${printer} printed ${what}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    // What the handle still gives by explicit access.
    const handles = reached
      .flatMap((r) => Object.values(r.objects))
      .filter((o): o is SessionContext => o instanceof Object && 'regenerate' in o);
    expect(handles.map((h) => h.id)).toEqual(expect.arrayContaining(ids));
  }, 60_000);
});

afterAll(() => {
  // The figure for the issue: what JSON.stringify of each reachable object gives, step by step.
  if (process.env.LEAKS_LISTING) writeFileSync(process.env.LEAKS_LISTING, `${listing.join('\n')}\n`);
});
