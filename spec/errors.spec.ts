import { type ValidationError } from 'class-validator';
import * as lib from '../src';
import { describeValidationErrors } from '../src/errors';
import { ERROR_CLASS_NAMES } from './support/error-names';

const errorClasses = Object.entries(lib).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
) as [string, new (...args: never[]) => Error][];

describe('the error family', () => {
  it('has every exported error under SessionError, each with a stable name equal to its export name', () => {
    expect(errorClasses.map(([name]) => name).sort()).toEqual(ERROR_CLASS_NAMES);
    for (const [name, type] of errorClasses) {
      if (type !== lib.SessionError) expect(type.prototype).toBeInstanceOf(lib.SessionError);
      expect(type.prototype.name).toBe(name);
    }
  });

  it('logs under its own name: the stack header says which error, as Lambda prints it', () => {
    const error = new lib.SessionMetadataError('X.handle: name the class');
    expect(error.stack?.split('\n')[0]).toBe('SessionMetadataError: X.handle: name the class');
    expect(String(new lib.SessionStoreNotSetError())).toMatch(/^SessionStoreNotSetError: Store not set/);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new lib.SessionStoreUnavailableError('unreachable', { cause }).cause).toBe(cause);
  });

  it('names every failing path of nested validation errors', () => {
    const errors = [
      {
        property: 'items',
        children: [
          {
            property: '0',
            children: [{ property: 'qty', constraints: { min: 'qty must not be less than 1' } }],
          },
        ],
      },
      { property: 'name', constraints: { isString: 'name must be a string' } },
    ] as ValidationError[];
    expect(describeValidationErrors(errors)).toEqual([
      'items.0.qty: qty must not be less than 1 [min]',
      'name: name must be a string [isString]',
    ]);
  });
});
