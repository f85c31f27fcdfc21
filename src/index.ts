/**
 * lambda-sessions: server-side sessions for AWS Lambda handlers, stored in DynamoDB.
 *
 * Everything a user imports comes from here.
 * @packageDocumentation
 */
export { Session, type SessionDecoratorOptions } from './decorators/session';
export { SessionData } from './decorators/session-data';
export { SessionContext, type RegenerateOptions } from './decorators/session-context';
export { withSession, type WithSessionOptions } from './with-session';
export { lambdaHandler, type LambdaEntry, type MethodKey } from './lambda-handler';
export { getSessionData, setSessionData, getSessionContext } from './current-session';
export { configureSessions, type SessionsConfig } from './config';
export {
  listSessions,
  revokeSession,
  revokeAllSessions,
  type OwnedSession,
  type OwnerCallOptions,
  type RevokeAllOptions,
} from './owners';
export { TABLE_NAME_ENV } from './constants';
export { SESSION_DEFAULTS, type SessionOptions } from './options';
export { COOKIE_DEFAULTS, type CookieOptions, type CookieSetting } from './transport/cookies';
export { type SessionLogger } from './logger';
export { type SessionClass } from './data-codec';
export { type SessionSchema } from './standard-schema';
export {
  checkDeleteCondition,
  checkWriteCondition,
  type DeleteCondition,
  type OwnedLoad,
  type OwnedSessionSummary,
  type OwnerIndex,
  ownedSummary,
  type SessionStore,
  type StoreCallOptions,
  type StoredSession,
  type TouchChange,
} from './stores/session-store';
export { MemorySessionStore } from './stores/memory-store';
export { FileSessionStore, type FileSessionStoreOptions } from './stores/file-store';
export { DynamoDBSessionStore, type DynamoDBSessionStoreOptions } from './stores/dynamodb-store';
export { DEFAULT_ATTRIBUTE_NAMES, type AttributeNames } from './stores/dynamodb-item';
export {
  SessionError,
  SessionConfigurationError,
  SessionStoreNotSetError,
  SessionMetadataError,
  SessionValidationError,
  SessionNewerSchemaError,
  SessionSerializationError,
  SessionConflictError,
  SessionStoreUnavailableError,
  SessionWriteUnknownError,
  SessionCorruptError,
  SessionTooLargeError,
  type SessionSizeLimit,
  SessionResponseError,
  type ValidationSource,
  type ValidationErrorOptions,
} from './errors';
export { hashSessionId, sessionRef } from './session-id';
