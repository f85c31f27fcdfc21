// The engine's rules, written once against the SessionStore interface and run on every store a spec gives:
// engine.spec.ts runs them on MemorySessionStore as unit tests, engine.dynalite.spec.ts on DynamoDB
// (dynalite in-process). What only DynamoDB can show (the item's attributes, the requests' names) stays in the
// dynalite specs.
import { type EngineStore } from '../support/engine-store';
import { describeAnonymousRules } from './anonymous';
import { describeChainRules } from './chains';
import { describeBoundsRules } from './bounds';
import { describeConcurrencyRules } from './concurrency';
import { describeInvocationRules } from './invocation';
import { describeLifecycleRules } from './lifecycle';
import { describeLoggingRules } from './logging';
import { describeSchemaRules } from './schema';
import { describeOwnerRules } from './owners';
import { describeStandardSchemaRules } from './standard-schema';
import { describeSessionLambdaRules } from './session-lambda';
import { describeTransportRules } from './transport';

/**
 * Registers every engine rule under `name`. `setup` runs before each test and gives the store of that test;
 * the library is configured with it (and nothing else) before the test starts.
 */
export function describeEngineRules(name: string, setup: () => EngineStore): void {
  describe(`the engine on ${name}`, () => {
    let current: EngineStore | undefined;
    beforeEach(() => {
      current = setup();
      current.configure();
    });
    const now = (): EngineStore => {
      if (!current) throw new Error('The engine store is set up before each test: use it inside tests only.');
      return current;
    };
    /** The current test's store, for the rules to hold on to at registration. */
    const local: EngineStore = {
      configure: (options) => now().configure(options),
      get store() {
        return now().store;
      },
      count: () => now().count(),
      calls: () => now().calls(),
      resetCalls: () => now().resetCalls(),
    };

    describeInvocationRules(local);
    describeLifecycleRules(local);
    describeOwnerRules(local);
    describeChainRules(local);
    describeAnonymousRules(local);
    describeSchemaRules(local);
    describeStandardSchemaRules(local);
    describeConcurrencyRules(local);
    describeLoggingRules(local);
    describeTransportRules(local);
    describeBoundsRules(local);
    describeSessionLambdaRules();
  });
}
