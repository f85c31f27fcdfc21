/**
 * What the library logs to: Powertools for AWS Lambda's `Logger` fits, and so does `console`. The library
 * names a session only by its hash prefix and never logs session data.
 */
export interface SessionLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}
