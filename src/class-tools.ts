/**
 * class-transformer and class-validator, loaded the first time a session class needs them, not when the library
 * is: a handler on plain JSON data (`withSession()` without `type`, the middy middleware without `type`) never
 * loads them. class-validator alone is about 500 KB with its own dependencies (validator, libphonenumber-js):
 * tens of milliseconds of a cold start, and most of a bundle.
 *
 * A dynamic `import()`, because it is the one lazy load that works in all the ways the library is run: tsc's
 * CommonJS build keeps it as it is (Node loads the package's CommonJS entry, the very module the user's own
 * `require` or `import` of class-validator gets, so the decorators' metadata is shared); the ES module build
 * keeps it too; and esbuild, bundling either into a user's handler, inlines the package behind it, evaluated
 * only when the promise is first asked for. A synchronous `require()` would not run in an ES module, nor
 * `createRequire()` in a bundle.
 */
import type * as ClassTransformer from 'class-transformer';
import type * as ClassValidator from 'class-validator';

/** The two packages, as loaded. */
export interface ClassTools {
  readonly transformer: typeof ClassTransformer;
  readonly validator: typeof ClassValidator;
}

let loading: Promise<ClassTools> | undefined;

/** The packages, loaded on the first call; later calls get the same promise. */
export function classTools(): Promise<ClassTools> {
  loading ??= Promise.all([import('class-transformer'), import('class-validator')]).then(
    ([transformer, validator]) => ({ transformer, validator }),
  );
  return loading;
}
