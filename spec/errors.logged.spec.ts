// Errors carry no session data: what a logged error prints through JSON.stringify, util.inspect, console.log,
// Powertools' Logger and pino, when the session holds hostile values and keys, when 100,000 items are invalid,
// and when the store's failure carries another request's session.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { Type } from 'class-transformer';
import { IsString, Matches, Min, ValidateNested } from 'class-validator';
import { inspect } from 'node:util';
import {
  SessionConflictError,
  SessionCorruptError,
  SessionStoreUnavailableError,
  SessionValidationError,
  SessionWriteUnknownError,
} from '../src';
import { dataShape, hydrate, parseStored, validateData } from '../src/data-codec';
import { conflictWinner, describeValidationErrors, loggableValidationFailures } from '../src/errors';
import { printed, printing } from './support/printed';

const TOKEN = 'TOKEN-7f3a9c-secret-value';

class Hostile {
  @Matches(/^\d+$/, { message: '$value is not digits' }) code = '0';
  @IsString() note = '';
}

class Item {
  @Min(1) qty = 1;
}

class Cart {
  @ValidateNested({ each: true }) @Type(() => Item) items: Item[] = [];
}

const validationError = (type: new () => object, plain: object, options = {}) =>
  hydrate(dataShape(type), plain, 'ref')
    .then((data) => validateData(dataShape(type), data, options))
    .then(
      () => {
        throw new Error('expected a SessionValidationError');
      },
      (error: unknown) => error as SessionValidationError,
    );

describe('a SessionValidationError', () => {
  it('quotes no value, even where a custom message says $value and the value holds a newline', async () => {
    const error = await validationError(Hostile, { code: `1\n${TOKEN}`, note: 'fine' });

    expect(error).toBeInstanceOf(SessionValidationError);
    expect(printing(error, TOKEN)).toEqual([]);
    expect(error.message).toContain('code: [value] is not digits [matches]');
    expect(loggableValidationFailures(error.errors)).toEqual(['code [matches]']);
    expect(error.errors[0]).not.toHaveProperty('value');
    expect(error.errors[0]).not.toHaveProperty('target');
  });

  it('escapes CR/LF in property names a client chose, in the message and in the logged failures', async () => {
    const key = `x\r\nlambda-sessions: FORGED line ${TOKEN}`;
    const error = await validationError(
      Hostile,
      { code: '1', note: 'n', [key]: 1 },
      { whitelist: true, forbidNonWhitelisted: true },
    );

    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('x\\r\\nlambda-sessions: FORGED');
    expect(loggableValidationFailures(error.errors)).toEqual([
      `x\\r\\nlambda-sessions: FORGED line ${TOKEN} [whitelistValidation]`,
    ]);
    for (const [logger, text] of Object.entries(printed(error))) {
      expect([logger, text.includes('\r\nlambda-sessions: FORGED')]).toEqual([logger, false]);
    }
  });

  it('caps a property path a client made long', async () => {
    const error = await validationError(
      Hostile,
      { code: '1', note: 'n', ['k'.repeat(100_000)]: 1 },
      { whitelist: true, forbidNonWhitelisted: true },
    );
    expect(error.message.length).toBeLessThan(2_000);
    expect(error.message).toContain('…(99800 more characters)');
  });

  it.each([20_000, 100_000])(
    'names the first 20 of %d invalid items and counts the rest, in a bounded message',
    async (count) => {
      const items = Array.from({ length: count }, () => ({ qty: 0 }));

      const error = await validationError(Cart, { items });

      expect(error).toBeInstanceOf(SessionValidationError);
      expect(error.message.length).toBeLessThan(4_000);
      expect(error.message).toContain(
        `items.19.qty: qty must not be less than 1 [min]; and ${count - 20} more.`,
      );
      expect(loggableValidationFailures(error.errors)).toHaveLength(21);
      expect(loggableValidationFailures(error.errors).at(-1)).toBe(`and ${count - 20} more`);
      expect(describeValidationErrors(error.errors)).toHaveLength(count);
    },
  );
});

describe('a store failure', () => {
  const winnerItem = { key: { S: 'k' }, value: { S: `{"token":"${TOKEN}"}` } };
  const sdkFailure = () => {
    const failure = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400, requestId: 'REQ-1', attempts: 1 },
      Item: winnerItem,
    });
    // What the SDK attaches, not enumerable: the raw HTTP exchange, request headers included.
    Object.defineProperty(failure, '$response', {
      value: { statusCode: 400, body: { req: { _header: `authorization: AWS4-HMAC-SHA256 ${TOKEN}` } } },
      enumerable: false,
    });
    return failure;
  };

  it('keeps the winner of a conflict reachable through conflictWinner() only', () => {
    const current = {
      key: 'k',
      data: `{"token":"${TOKEN}"}`,
      createdAt: 1,
      updatedAt: 2,
      version: 3,
      expiresAt: undefined,
    };
    const error = new SessionConflictError('ref', { cause: sdkFailure(), key: 'k', current });

    expect(printing(error, TOKEN)).toEqual([]);
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
    expect(conflictWinner(error)).toEqual({ key: 'k', current });
  });

  it.each([
    ['SessionConflictError', (cause: unknown) => new SessionConflictError('ref', { cause })],
    ['SessionStoreUnavailableError', (cause: unknown) => new SessionStoreUnavailableError('down', { cause })],
    ['SessionWriteUnknownError', (cause: unknown) => new SessionWriteUnknownError('unknown', { cause })],
  ])(
    '%s keeps the SDK error as class, name, message and metadata, without its Item or $response',
    (_n, make) => {
      const error = make(sdkFailure());

      expect(printing(error, TOKEN)).toEqual([]);
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
      expect(error.cause).toBeInstanceOf(ConditionalCheckFailedException);
      expect(error.cause).toMatchObject({
        name: 'ConditionalCheckFailedException',
        message: 'The conditional request failed',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'REQ-1', attempts: 1 },
      });
      expect((error.cause as Error).stack).toMatch(
        /^ConditionalCheckFailedException: The conditional request/,
      );
    },
  );

  it('keeps a cause that is no SDK error as it is', () => {
    const cause = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/tmp/sessions.json' });
    expect(new SessionStoreUnavailableError('down', { cause }).cause).toBe(cause);
  });
});

describe('a SessionCorruptError for stored data that is not JSON', () => {
  it("has no cause: JSON.parse's message quotes the stored text", () => {
    let error: unknown;
    try {
      parseStored(`{"token": ${TOKEN}}`, 'ref', 1024);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SessionCorruptError);
    expect(printing(error, TOKEN)).toEqual([]);
  });
});
