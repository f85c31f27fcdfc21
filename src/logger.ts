/**
 * What the library logs to: Powertools for AWS Lambda's `Logger` fits, and so does `console`. The library
 * names a session only by its hash prefix and never logs session data.
 */
export interface SessionLogger {
  /** Each step of an invocation: new, not found, expired, saved, slid. */
  debug(message: string, ...extra: unknown[]): void;
  /** Lifecycle events: destroyed, regenerated. */
  info(message: string, ...extra: unknown[]): void;
  /** Refused data and lost races: invalid session data, conflicts. */
  warn(message: string, ...extra: unknown[]): void;
  /**
   * Optional: the library calls `debug`, `info` and `warn` only, and accepts a logger with or without `error`
   * (Powertools' `Logger` and `console` have one).
   */
  error?(message: string, ...extra: unknown[]): void;
}
