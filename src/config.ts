import { TABLE_NAME_ENV } from './constants';
import { SessionStoreNotSetError } from './errors';
import { parseSessionOptions, type SessionOptions } from './options';
import { processState } from './process-state';
import { DynamoDBSessionStore, type DynamoDBSessionStoreOptions } from './stores/dynamodb-store';
import { type SessionStore } from './stores/session-store';

/**
 * Settings for every handler of the module: where the sessions live, and defaults for the per-handler options.
 */
export interface SessionsConfig
  extends SessionOptions, Partial<Omit<DynamoDBSessionStoreOptions, 'tableName'>> {
  /** The DynamoDB table. @default process.env.SESSION_LAMBDA_DYNAMODB_TABLE_NAME */
  tableName?: string;
}

interface GlobalState {
  readonly config: SessionsConfig;
  /** Bumped on each `configureSessions()`, so handlers know their resolved options are stale. */
  readonly generation: number;
  /** The DynamoDB store the config describes, built once (at init, where Lambda gives the CPU for free). */
  readonly store: SessionStore | undefined;
}

interface SharedConfig {
  state: GlobalState;
  /** Stores built from the environment variable, one per table name. */
  readonly envStores: Map<string, SessionStore>;
}

// One per process, not per module copy: configureSessions() through the CommonJS build must reach handlers
// wrapped by the ES module build, and the other way round (see process-state.ts).
const shared = /* @__PURE__ */ processState<SharedConfig>('config.v1', () => ({
  state: { config: {}, generation: 0, store: undefined },
  envStores: new Map(),
}));

/**
 * Configures sessions for every handler, once per module (at the top level, so the client is built during the
 * Lambda init phase). Each call replaces the previous configuration whole.
 *
 * @example
 * configureSessions({ tableName: 'sessions', ttl: 900 });
 */
export function configureSessions(config: SessionsConfig): void {
  parseSessionOptions(config, 'configureSessions()');
  const store =
    config.store ?? (config.tableName === undefined ? undefined : dynamoDBStore(config, config.tableName));
  shared.state = { config: { ...config }, generation: shared.state.generation + 1, store };
}

/** The current global configuration and its generation. */
export function globalConfig(): Pick<GlobalState, 'config' | 'generation'> {
  return shared.state;
}

/**
 * The store for one invocation: the handler's own, else the configured one, else a DynamoDB store for the
 * table the environment names (read on the first invocation, so tests and local runs can set it late).
 */
export function resolveStore(handlerStore: SessionStore | undefined): SessionStore {
  if (handlerStore) return handlerStore;
  const { state, envStores } = shared;
  if (state.store) return state.store;
  const tableName = process.env[TABLE_NAME_ENV];
  if (!tableName) throw new SessionStoreNotSetError();
  let store = envStores.get(tableName);
  if (!store) {
    store = dynamoDBStore(state.config, tableName);
    envStores.set(tableName, store);
  }
  return store;
}

/** The DynamoDB store a configuration describes; its client's socket timeout follows `storeTimeoutMs`. */
function dynamoDBStore(config: SessionsConfig, tableName: string): SessionStore {
  return new DynamoDBSessionStore({ requestTimeoutMs: config.storeTimeoutMs, ...config, tableName });
}
