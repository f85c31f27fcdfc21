/**
 * State that must exist once per process, whichever copy of the library holds it.
 *
 * The package ships a CommonJS build and an ES module build. One process can load both: an ES module handler
 * beside a CommonJS helper, a test runner that requires what the app imports, a bundle that inlined one build
 * beside a layer that loads the other. Module-level state would then exist twice: `configureSessions()` through
 * one copy would go unseen by handlers wrapped by the other, `getSessionData()` would find no session, and
 * `@SessionData()` would record into a registry `@Session()` never reads (the "dual package hazard"). So each
 * piece lives on `globalThis`, under a key from the global symbol registry that every copy derives alike, and
 * is created by whichever copy asks first.
 *
 * The name carries a version: bump it when the shape of the state changes, so that two releases of the library
 * in one process never read each other's state in a shape they do not know.
 *
 * Each module-level call is annotated as pure (`@__PURE__`): the state is made (or found) when the module loads,
 * and a bundler that leaves out what reads it may leave the call out too (package.json says sideEffects: false).
 */
export function processState<T>(name: `${string}.v${number}`, create: () => T): T {
  const key = Symbol.for(`lambda-sessions.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const existing = holder[key];
  if (existing !== undefined) return existing;
  const value = create();
  // Not enumerable: the state stays out of whatever lists the globals.
  Object.defineProperty(globalThis, key, { value, enumerable: false, writable: false, configurable: true });
  return value;
}
