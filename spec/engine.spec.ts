// The engine's rules (spec/engine-rules) as unit tests, on MemorySessionStore. engine.dynalite.spec.ts runs
// the same rules on DynamoDB.
import { describeEngineRules } from './engine-rules';
import { memoryEngineStore } from './support/engine-store';

describeEngineRules('MemorySessionStore', memoryEngineStore);
