// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient type for an untyped deep import; tsc drops it from the emitted .d.ts
/// <reference path="./class-transformer-storage.d.ts" />
/**
 * A fingerprint of the rules stored data was validated by, so that a load validates only when it can find
 * something: data this code wrote under the same class and the same `validation` options passed those very
 * rules when it was written (the write validates the rehydrated copy a load would get), and validating it again
 * on every read is the second half of the work for nothing (BENCHMARKS.md, "One validation pass").
 *
 * The fingerprint covers what class-validator and class-transformer hold of the session class: every
 * validation decorator (its kind, constraints, options, `each`, groups, message), every class-transformer rule
 * (`@Type`, `@Transform` with its function's source, `@Expose`, `@Exclude`), of the class, its parents, and the
 * classes its `@Type` rules reach (nested `@ValidateNested` data), and the `validation` options. It does not see
 * inside a function a decorator calls (a custom constraint's imported helper): a change there needs a `version`
 * bump or `validateOnLoad: 'always'`. Whatever it cannot read as expected gives no fingerprint, and every load
 * is validated, as before.
 */
import { createHash } from 'node:crypto';
import { type ValidatorOptions } from 'class-validator';
import { classTools } from './class-tools';
import { type SessionClass } from './data-codec';

type Constructor = abstract new (...args: never[]) => unknown;

/** Per `validation` options object, per class: computed once per cold start. */
const cache = new WeakMap<object, WeakMap<Constructor, Promise<string | undefined>>>();

/**
 * The fingerprint of the rules `type` is validated by under `validation`; `undefined` when they cannot be read
 * (then nothing can be skipped). Computed once per class and options object, then cached.
 */
export function validationRules(
  type: SessionClass,
  validation: ValidatorOptions,
): Promise<string | undefined> {
  let byClass = cache.get(validation);
  if (!byClass) cache.set(validation, (byClass = new WeakMap()));
  let rules = byClass.get(type);
  if (!rules) byClass.set(type, (rules = fingerprint(type, validation)));
  return rules;
}

async function fingerprint(type: SessionClass, validation: ValidatorOptions): Promise<string | undefined> {
  const [{ validator }, transformerStorage] = await Promise.all([
    classTools(),
    // The module class-transformer's own decorators record into (its CommonJS build, the one Node and a
    // bundle for Node load). Should a layout change hide it, nothing is skipped: every load validates.
    import('class-transformer/cjs/storage.js').then(
      (module) => module.defaultMetadataStorage,
      () => undefined,
    ),
  ]);
  const validatorMaps = mapsOf(validator.getMetadataStorage(), ['validationMetadatas']);
  const transformerMaps = mapsOf(transformerStorage, [
    '_typeMetadatas',
    '_transformMetadatas',
    '_exposeMetadatas',
    '_excludeMetadatas',
  ]);
  if (!validatorMaps || !transformerMaps) return undefined;
  try {
    const rules: unknown[] = [validation];
    const seen = new Set<Constructor>();
    const queue: Constructor[] = [type];
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (seen.has(next)) continue;
      seen.add(next);
      for (const ctor of lineage(next)) {
        rules.push(ctor.name, ...[...validatorMaps, ...transformerMaps].map((map) => map.get(ctor) ?? null));
        queue.push(...nestedClasses(transformerMaps[0]!.get(ctor)));
      }
    }
    const text = JSON.stringify(rules, (key, value: unknown) => described(key, value));
    return createHash('sha256').update(text).digest('base64url').slice(0, 22);
  } catch {
    return undefined; // a rule JSON cannot hold (a BigInt constraint), or a @Type function that needs its object
  }
}

/** The storage's maps by class, if it holds them as this code knows them. */
function mapsOf(storage: unknown, names: readonly string[]): Map<unknown, unknown>[] | undefined {
  if (typeof storage !== 'object' || storage === null) return undefined;
  const maps = names.map((name) => Reflect.get(storage, name) as unknown);
  return maps.every((map) => map instanceof Map) ? (maps as Map<unknown, unknown>[]) : undefined;
}

/** The class and its parents, whose decorators apply to it too. */
function lineage(type: Constructor): Constructor[] {
  const chain: Constructor[] = [];
  for (
    let c: unknown = type;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    chain.push(c as Constructor);
  }
  return chain;
}

/** The classes a class's `@Type` rules name (discriminated subtypes included): its nested data. */
function nestedClasses(typeRules: unknown): Constructor[] {
  if (!(typeRules instanceof Map)) return [];
  const found: Constructor[] = [];
  for (const rule of typeRules.values() as IterableIterator<TypeRule>) {
    const named = rule.typeFunction?.();
    if (typeof named === 'function') found.push(named as Constructor);
    for (const subType of rule.options?.discriminator?.subTypes ?? []) {
      if (typeof subType.value === 'function') found.push(subType.value as Constructor);
    }
  }
  return found;
}

/** What this code reads of class-transformer's `TypeMetadata`. */
interface TypeRule {
  readonly typeFunction?: () => unknown;
  readonly options?: { readonly discriminator?: { readonly subTypes?: readonly { value: unknown }[] } };
}

/**
 * A rule's value as JSON can hold it: a Map as its entries, a function as its source text (a `@Transform`
 * function, a message function, a constraint class), a RegExp as its source; the class a rule is on (`target`)
 * by name, since its rules are listed anyway.
 */
function described(key: string, value: unknown): unknown {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>)];
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return key === 'target' ? (value as Constructor).name : String(value);
  return value;
}
