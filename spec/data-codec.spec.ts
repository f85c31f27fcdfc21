// Session data between the handler's object and the stored JSON, on the memory store: every failure is a
// SessionError, what is validated before a write is what the next read will get (the JSON, hydrated again),
// and what JSON makes of the values JSON has no form for (the README's table).
import { Transform, Type } from 'class-transformer';
import {
  IsDate,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import {
  configureSessions,
  getSessionData,
  hashSessionId,
  MemorySessionStore,
  SessionError,
  SessionSerializationError,
  SessionValidationError,
  setSessionData,
  type StoredSession,
  type WithSessionOptions,
  withSession,
} from '../src';

type Response = { statusCode: number; headers: Record<string, string> };
const ok = (): Response => ({ statusCode: 200, headers: {} });
const ID = 'D'.repeat(43);
const event = (id?: string) => ({ headers: id ? { 'session-id': id } : {} });

let store: MemorySessionStore;
beforeEach(() => {
  store = new MemorySessionStore();
  configureSessions({ store });
});

/** A handler that does `change` to the session's data (or returns new data to set), then answers 200. */
function handler<T>(change: (data: T) => unknown, options: WithSessionOptions = {}) {
  return withSession(
    async (_event: unknown) => {
      const replacement = change(getSessionData<T>());
      if (replacement !== undefined) setSessionData(replacement);
      return ok();
    },
    { update: true, ...options },
  );
}

/** Writes a new session through `change`, reads it back in a second invocation and returns what it read. */
async function roundTrip<T extends object>(
  type: new () => T,
  change: (data: T) => void,
): Promise<{ read: T; json: string }> {
  const id = (await handler(change, { type })(event())).headers['session-id']!;
  const json = (await store.load(hashSessionId(id)))!.data;
  let read: T | undefined;
  await handler<T>((data) => void (read = data), { type, update: false })(event(id));
  return { read: read!, json };
}

class Score {
  @IsInt() @Min(0) points = 0;
  @IsOptional() @IsString() note?: string;
}

describe('a migrate function that throws', () => {
  const t0 = Date.now();
  const v1Item = (): StoredSession => ({
    key: hashSessionId(ID),
    data: JSON.stringify({ score: 3 }),
    createdAt: t0 - 1_000,
    updatedAt: t0 - 1_000,
    version: 1,
    expiresAt: t0 + 60_000,
    schemaVersion: 1,
  });
  const failure = new TypeError("Cannot read properties of undefined (reading 'map')");
  const migrations = [
    ['throws', () => { throw failure; }], // prettier-ignore
    ['rejects', () => Promise.reject(failure)],
  ] as const;

  it.each(migrations)(
    'is invalid stored data (it %s): a SessionValidationError from the store, with the error as cause',
    async (_how, migrate) => {
      await store.save(v1Item(), undefined);
      let ran = false;
      const view = handler(() => void (ran = true), { type: Score, version: 2, migrate });

      const error = (await view(event(ID)).catch((e: unknown) => e)) as SessionValidationError;

      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.source).toBe('store');
      expect(error.cause).toBe(failure);
      expect(error.message).toMatch(
        /migrate\(data, 1\) to version 2 threw TypeError: Cannot read properties/,
      );
      expect(ran).toBe(false);
      expect(await store.load(hashSessionId(ID))).toEqual(v1Item());
    },
  );

  it("starts the session afresh under the same id with onInvalidStored: 'reset', like other invalid data", async () => {
    await store.save(v1Item(), undefined);
    const view = handler(() => undefined, {
      type: Score,
      version: 2,
      migrate: migrations[0][1],
      onInvalidStored: 'reset',
    });

    const response = await view(event(ID));

    expect(response.headers['session-id']).toBe(ID);
    const fresh = (await store.load(hashSessionId(ID)))!;
    expect(JSON.parse(fresh.data)).toEqual({ points: 0 });
    expect(fresh.schemaVersion).toBe(2);
  });
});

describe('data JSON cannot hold is a SessionSerializationError, and nothing is written', () => {
  class Ledger {
    @IsOptional() balance?: unknown;
    @IsOptional() owner?: unknown;
  }

  it('a BigInt, in a new session: named by its path', async () => {
    const write = handler<Ledger>((data) => void (data.balance = { cents: 10n }), { type: Ledger });

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(/a BigInt at balance\.cents/);
    expect(store.size).toBe(0);
  });

  it('a BigInt, in an update of an existing session: the stored session is what it was', async () => {
    const id = (await handler<Ledger>(() => undefined, { type: Ledger })(event())).headers['session-id']!;
    const before = await store.load(hashSessionId(id));

    const error = await handler<Ledger>((data) => void (data.balance = 10n), { type: Ledger })(
      event(id),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect(await store.load(hashSessionId(id))).toEqual(before);
  });

  it('a BigInt in plain session data (no type), as session-lambda handlers hold it', async () => {
    await expect(handler(() => 10n)(event())).rejects.toThrow(SessionSerializationError);
    expect(store.size).toBe(0);
  });

  it('a cycle: named by the path that leads back', async () => {
    const write = handler<Ledger>(
      (data) => {
        const owner: Record<string, unknown> = { name: 'ada' };
        owner.ledger = data;
        data.owner = owner;
      },
      { type: Ledger },
    );

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(/a cycle at owner\.ledger/);
    expect(store.size).toBe(0);
  });

  it.each([
    ['a Map', () => new Map<string, unknown>([['eur', 10n]]), /a BigInt at balance\.eur/],
    ['a Set', () => new Set<unknown>([1, 2n]), /a BigInt at balance\.1/],
  ])('a BigInt inside %s: named by its path through it', async (_what, balance, path) => {
    const write = handler<Ledger>((data) => void (data.balance = balance()), { type: Ledger });

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(path);
    expect(store.size).toBe(0);
  });

  it.each([
    ['an error', new Error('no ledger today'), /as JSON: Error: no ledger today; nothing was written/],
    ['a value that is no error', 'no ledger', /as JSON: a value was thrown; nothing was written/],
  ])('a toJSON() that throws %s: reported by what it threw', async (_what, thrown, message) => {
    const balance = {
      toJSON() {
        throw thrown;
      },
    };
    const write = handler<Ledger>((data) => void (data.balance = balance), { type: Ledger });

    const error = await write(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionSerializationError);
    expect((error as Error).message).toMatch(message);
    expect((error as SessionSerializationError).cause).toBe(thrown);
    expect(store.size).toBe(0);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'ada'],
    ['an array', [1, 2]],
  ])('setSessionData(%s) where the session is a class: refused, saying so', async (_what, value) => {
    for (const validation of [{}, false] as const) {
      const write = handler(() => undefined, { type: Score, validation });
      const replace = withSession(
        async () => {
          setSessionData(value);
          return ok();
        },
        { type: Score, validation, update: true },
      );
      const id = (await write(event())).headers['session-id']!;
      const before = await store.load(hashSessionId(id));

      const error = await replace(event(id)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionSerializationError);
      expect((error as Error).message).toMatch(/setSessionData\(\).* a Score/);
      expect(await store.load(hashSessionId(id))).toEqual(before);
    }
  });
});

describe('what is validated before a write is what the next read gets', () => {
  class Visit {
    @IsDate() at = new Date(0); // no @Type(() => Date): read back, it is a string
  }

  it('a Date field without @Type(() => Date) is refused at the first write, not at every later read', async () => {
    const error = await handler<Visit>(() => undefined, { type: Visit })(event()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionValidationError);
    expect((error as SessionValidationError).source).toBe('handler');
    expect((error as Error).message).toMatch(/at: at must be a Date instance \[isDate\]/);
    expect((error as Error).message).toMatch(/@Type\(\(\) => Date\)/);
    expect(store.size).toBe(0);
  });

  it('an async validator cannot let a change made while it runs be stored unvalidated', async () => {
    // The handler returns while work it started still holds the session object; that work changes the object
    // while an async validator is pending (the validator triggers it here, to make the order certain).
    let lateChange: (() => void) | undefined;
    @ValidatorConstraint({ async: true })
    class RemoteCheck implements ValidatorConstraintInterface {
      async validate(): Promise<boolean> {
        await Promise.resolve();
        lateChange?.();
        return true;
      }
    }
    class Checked {
      @IsInt() @Min(0) @Validate(RemoteCheck) points = 0;
    }
    const write = handler<Checked>(
      (data) => {
        data.points = 1;
        lateChange = () => (data.points = -1);
      },
      { type: Checked },
    );

    const id = (await write(event())).headers['session-id']!;

    expect(JSON.parse((await store.load(hashSessionId(id)))!.data)).toEqual({ points: 1 });
  });
});

describe('maxSessionBytes holds for the text that is stored', () => {
  class Padded {
    // read back, the text grows: what a whitelist write stores is serialised again from the read-back copy
    @IsString()
    @Transform(({ value }: { value: string }) => value.padEnd(2000, '.'), { toClassOnly: true })
    note = '';
  }

  it('also after whitelist serialised the read-back copy again', async () => {
    const write = handler<Padded>((p) => void (p.note = 'hi'), {
      type: Padded,
      maxSessionBytes: 1000,
      validation: { whitelist: true },
    });
    await expect(write(event())).rejects.toMatchObject({ name: 'SessionTooLargeError', size: 2011 });
    expect(store.size).toBe(0);
  });
});

describe('what JSON makes of a session’s values (the README table)', () => {
  it('a Date with @Type(() => Date) comes back a Date; without, an ISO string', async () => {
    class Dates {
      @Type(() => Date) typed: Date = new Date(0);
      @IsOptional() untyped: unknown = new Date(0);
    }
    const { read, json } = await roundTrip(Dates, () => undefined);
    expect(json).toBe('{"typed":"1970-01-01T00:00:00.000Z","untyped":"1970-01-01T00:00:00.000Z"}');
    expect(read.typed).toEqual(new Date(0));
    expect(read.untyped).toBe('1970-01-01T00:00:00.000Z');
  });

  it('a Map is stored as an object of its entries: a Map again when the field is declared a Map and has @Type, else a plain object', async () => {
    class Maps {
      @Type(() => Number) typed: Map<string, number> = new Map();
      @IsOptional() untyped: unknown = new Map<string, number>();
    }
    const { read, json } = await roundTrip(Maps, (data) => {
      data.typed.set('a', 1);
      (data.untyped as Map<string, number>).set('b', 2);
    });
    expect(json).toBe('{"typed":{"a":1},"untyped":{"b":2}}');
    expect(read.typed).toEqual(new Map([['a', 1]]));
    expect(read.untyped).toEqual({ b: 2 });
  });

  it('a Set is stored as an array: a Set again when the field is declared a Set and has @Type, else an array', async () => {
    class Sets {
      @Type(() => String) typed: Set<string> = new Set();
      @IsOptional() untyped: unknown = new Set<string>();
    }
    const { read, json } = await roundTrip(Sets, (data) => {
      data.typed.add('a');
      (data.untyped as Set<string>).add('b');
    });
    expect(json).toBe('{"typed":["a"],"untyped":["b"]}');
    expect(read.typed).toEqual(new Set(['a']));
    expect(read.untyped).toEqual(['b']);
  });

  it('NaN and ±Infinity become null, so a number field that allows them is refused at the write', async () => {
    class Loose {
      @IsOptional() values: unknown[] = [];
    }
    const { read, json } = await roundTrip(Loose, (data) => void data.values.push(NaN, Infinity, -Infinity));
    expect(json).toBe('{"values":[null,null,null]}');
    expect(read.values).toEqual([null, null, null]);

    class Ratio {
      @IsNumber({ allowNaN: true }) value = 0;
    }
    const sessions = store.size;
    const error = await handler<Ratio>((data) => void (data.value = NaN), { type: Ratio })(event()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionValidationError);
    expect((error as Error).message).toMatch(/value: value must be a number/);
    expect(store.size).toBe(sessions);
  });

  it('an undefined field is left out, and comes back as the class’s initial value', async () => {
    class Defaults {
      @IsOptional() @IsString() note?: string = 'none';
      @IsOptional() @IsString() other?: string;
    }
    const { read, json } = await roundTrip(Defaults, (data) => {
      data.note = undefined;
      data.other = undefined;
    });
    expect(json).toBe('{}');
    expect(read.note).toBe('none');
    expect(read.other).toBeUndefined();
  });

  it('every failure on the way is a SessionError', async () => {
    const failures = await Promise.all(
      [
        handler<Score>((data) => void Object.assign(data, { points: 1n }), { type: Score })(event()),
        handler(() => null, { type: Score })(event()),
      ].map((p) => p.catch((e: unknown) => e)),
    );
    for (const failure of failures) expect(failure).toBeInstanceOf(SessionError);
  });
});
