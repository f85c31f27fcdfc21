// The library's error classes by name, sorted: what specs of the error family compare against.
export const ERROR_CLASS_NAMES = [
  'SessionConfigurationError',
  'SessionConflictError',
  'SessionCorruptError',
  'SessionError',
  'SessionMetadataError',
  'SessionNewerSchemaError',
  'SessionResponseError',
  'SessionSerializationError',
  'SessionStoreNotSetError',
  'SessionStoreUnavailableError',
  'SessionTooLargeError',
  'SessionValidationError',
  'SessionWriteUnknownError',
];
