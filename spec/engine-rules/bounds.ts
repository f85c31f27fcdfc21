// Bounded work per request: the session's JSON is limited (maxSessionBytes) before it is compressed on a write,
// and stored data over the limit, or nested too deeply to hydrate, is a SessionError, whoever wrote the item.
import { IsOptional, IsString } from 'class-validator';
import {
  getSessionData,
  hashSessionId,
  SessionCorruptError,
  SessionError,
  setSessionData,
  SessionTooLargeError,
  withSession,
  type WithSessionOptions,
} from '../../src';
import { type EngineStore, plant } from '../support/engine-store';

class Notes {
  @IsString() text = '';
  @IsOptional() child?: Notes;
}

type Response = { statusCode: number; headers: Record<string, string>; body: string };

/** A handler on a `Notes` session that sets its text to `text` (when given) and answers its length. */
const notes = (options: WithSessionOptions = {}, text?: string) =>
  withSession(
    async (_event: unknown): Promise<Response> => {
      const data = getSessionData<Notes>();
      if (text !== undefined) data.text = text;
      return { statusCode: 200, headers: {}, body: String(data.text.length) };
    },
    { type: Notes, update: true, ...options },
  );
const header = (id: string) => ({ headers: { 'session-id': id } });

export function describeBoundsRules(local: EngineStore): void {
  // A read past the default bound: the DynamoDB store would refuse the hostile items these tests plant.
  const stored = (id: string) => local.store.load(hashSessionId(id), { maxDataBytes: 2 ** 23 });
  /** A live session whose stored data is then replaced by `data`, as another writer could leave it. */
  async function sessionHolding(data: string): Promise<string> {
    const id = (await notes()({})).headers['session-id']!;
    await plant(local.store, { ...(await stored(id))!, data });
    return id;
  }

  describe('maxSessionBytes: bounded work per request', () => {
    it('refuses to write a new session whose JSON is over the limit, naming its size and the option', async () => {
      const before = await local.count();
      const error = await notes({ maxSessionBytes: 1000 }, 'x'.repeat(1000))({}).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionTooLargeError);
      expect(error).toMatchObject({ size: 1011, limit: 1000, option: 'maxSessionBytes' }); // {"text":"…"}
      expect((error as Error).message).toMatch(/1011 bytes of JSON, over maxSessionBytes \(1000\)/);
      expect(await local.count()).toBe(before);
    });

    it('counts UTF-8 bytes, not characters', async () => {
      // 395 é are 395 characters and 790 bytes: with the 11 bytes of JSON around them, 801
      const error = await notes({ maxSessionBytes: 800 }, 'é'.repeat(395))({}).catch((e: unknown) => e);
      expect(error).toMatchObject({ size: 801, limit: 800 });
    });

    it('refuses an update over the limit before compression: the stored session is what it was', async () => {
      const id = (await notes({}, 'small')({})).headers['session-id']!;
      const before = await stored(id);
      // a megabyte of one letter compresses to a few hundred bytes: the item limit alone would let it in
      const error = await notes({}, 'x'.repeat(2 ** 20))(header(id)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SessionTooLargeError);
      expect(error).toMatchObject({ limit: 2 ** 20, option: 'maxSessionBytes' });
      expect(await stored(id)).toEqual(before);
    });

    it('writes a session of exactly the limit', async () => {
      const json = JSON.stringify({ text: 'x'.repeat(100) });
      const response = await notes({ maxSessionBytes: json.length }, 'x'.repeat(100))({});
      expect((await stored(response.headers['session-id']!))?.data).toBe(json);
    });

    it('refuses stored data over the limit without parsing it, whatever onInvalidStored says', async () => {
      // 3 MB of JSON that brotli (the DynamoDB store's encoding above 4 KB) stores in a few hundred bytes
      const id = await sessionHolding(JSON.stringify({ text: 'x'.repeat(3 * 2 ** 20) }));
      const before = await stored(id);

      for (const onInvalidStored of ['throw', 'reset'] as const) {
        const error = await notes({ onInvalidStored })(header(id)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionCorruptError);
        expect((error as Error).message).toMatch(/more than 1048576 bytes of JSON \(maxSessionBytes\)/);
      }
      expect(await stored(id)).toEqual(before); // left for inspection, as other corrupt items are
    });

    it('reads stored data again once maxSessionBytes is raised to what wrote it', async () => {
      const id = (await notes({ maxSessionBytes: 5000 }, 'x'.repeat(4000))({})).headers['session-id']!;

      await expect(notes({ maxSessionBytes: 1000 })(header(id))).rejects.toThrow(SessionCorruptError);
      expect((await notes({ maxSessionBytes: 5000 })(header(id))).body).toBe('4000');
    });

    it('reports stored JSON nested too deeply to hydrate as corrupt, not as a RangeError', async () => {
      const depth = 100_000; // 0.6 MB of JSON, within the limit; class-transformer recurses once per level
      const id = await sessionHolding(`{"text":"","child":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);

      const error = await notes()(header(id)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionCorruptError);
      expect((error as Error).message).toMatch(/nested too deeply to become a Notes/);
    });

    it('keeps serving other sessions after a hostile one was refused', async () => {
      const id = await sessionHolding(JSON.stringify({ text: 'x'.repeat(3 * 2 ** 20) }));
      await expect(notes()(header(id))).rejects.toBeInstanceOf(SessionError);

      const response = await notes({}, 'fine')({});
      expect(response.statusCode).toBe(200);
      expect((await notes()(header(response.headers['session-id']!))).body).toBe('4');
    });

    it('bounds plain session data (no class) too', async () => {
      const plain = withSession(
        async (_event: unknown) => {
          setSessionData('x'.repeat(2000));
          return { statusCode: 200, headers: {} as Record<string, string>, body: '' };
        },
        { maxSessionBytes: 1000 },
      );
      await expect(plain({})).rejects.toMatchObject({ name: 'SessionTooLargeError', size: 2002 });
    });
  });
}
