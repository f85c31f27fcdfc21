// The fingerprint of a session class's validation rules (src/validation-rules.ts), which lets a load skip
// validating data written under the same rules: equal for the same rules, different for any rule changed,
// nested and inherited ones included; and restore() skipping only what a write validated.
import 'reflect-metadata'; // as the library's entry loads it, for @Type
import { Transform, Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { dataShape, restore, type RestoreOptions } from '../src/data-codec';
import { validationRules } from '../src/validation-rules';

// Each factory makes classes of the same names, whose rules differ only in what it is given: the
// fingerprint must tell them apart by their rules alone.
function cartOf(maxQty: number) {
  class Line {
    @IsString() sku = '';
    @IsInt() @Min(1) @Max(maxQty) qty = 1;
  }
  class Cart {
    @ValidateNested({ each: true }) @Type(() => Line) lines: Line[] = [];
  }
  return Cart;
}
function derivedOf(owner: RegExp) {
  class Base {
    @Matches(owner) owner = '';
  }
  class Derived extends Base {
    @IsInt() n = 0;
  }
  return Derived;
}
const trimmed = (() => {
  class Named {
    @Transform(({ value }: { value: string }) => value.trim()) @IsString() name = '';
  }
  return Named;
})();
const lowered = (() => {
  class Named {
    @Transform(({ value }: { value: string }) => value.toLowerCase()) @IsString() name = '';
  }
  return Named;
})();
const Cart = cartOf(99);
const CartOfStricterLines = cartOf(9);

const options = {};

describe('the fingerprint of a class’s validation rules', () => {
  it('is computed once per class and options object, then cached', () => {
    expect(validationRules(Cart, options)).toBe(validationRules(Cart, options));
  });

  it('is equal for equal rules, across classes and options objects of equal content', async () => {
    expect(await validationRules(cartOf(99), {})).toBe(await validationRules(Cart, options));
  });

  it.each([
    ['a rule of a nested @Type class', CartOfStricterLines, Cart, {}],
    ['a rule inherited from a parent class (a RegExp constraint)', derivedOf(/^a/), derivedOf(/^b/), {}],
    ['a @Transform function', lowered, trimmed, {}],
    ['the validation options', Cart, Cart, { whitelist: true }],
  ] as const)('changes with %s', async (_what, changed, original, changedOptions) => {
    expect(await validationRules(changed, changedOptions)).not.toBe(await validationRules(original, {}));
  });
});

describe('restore() with the fingerprint of the rules the data passed', () => {
  const restoreOptions = (changes: Partial<RestoreOptions> = {}): RestoreOptions => ({
    version: 1,
    migrate: undefined,
    validateOnLoad: true,
    validation: {},
    logger: undefined,
    maxSessionBytes: 1024,
    ...changes,
  });
  const invalid = JSON.stringify({ lines: [{ sku: 'a', qty: 0 }] });

  it('skips validating data that passed these very rules', async () => {
    const rules = await validationRules(Cart, {});
    const options = restoreOptions();
    await expect(restore(dataShape(Cart), invalid, 1, options, 'ref', rules)).resolves.toBeInstanceOf(Cart);
  });

  it('validates data that passed other rules', async () => {
    const rules = await validationRules(CartOfStricterLines, {});
    await expect(restore(dataShape(Cart), invalid, 1, restoreOptions(), 'ref', rules)).rejects.toThrow(
      /lines\.0\.qty/,
    );
  });

  it('has nothing to skip for plain data or with validation off', async () => {
    const plain = restore(dataShape(undefined), '{"a":1}', 1, restoreOptions(), 'ref', 'x');
    await expect(plain).resolves.toEqual({ a: 1 });
    const off = restore(dataShape(Cart), invalid, 1, restoreOptions({ validation: false }), 'ref', 'x');
    await expect(off).resolves.toBeInstanceOf(Cart);
  });
});
