/**
 * What this library's objects and messages look like once logged. A handler logs what it can reach
 * (`console.log(context)`, `logger.error(message, error)`); those objects hold ids and session data in private
 * fields, and show safe facts through `toJSON()` (which every structured logger calls) and `util.inspect`'s hook
 * (what `console.log` calls). Text a client chose (property names of stored JSON) reaches messages only escaped
 * and bounded.
 */

/**
 * `util.inspect.custom`: a registered symbol, so the hook needs no `node:util` import and is the same one for the
 * CommonJS and the ES module builds.
 */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The `inspect` function Node.js passes to an `util.inspect.custom` hook as its third argument. */
export type InspectFormat = (value: unknown, options: object) => string;

/** An object's logged form for `util.inspect`: its name, then its safe facts, formatted as Node formats objects. */
export function loggedAs(
  name: string,
  facts: object,
  depth: number,
  options: object,
  inspect: InspectFormat,
): string {
  return depth < 0 ? `[${name}]` : `${name} ${inspect(facts, options)}`;
}

/** Characters that would break a plain-text log line or a terminal: C0 and C1 controls, DEL, line separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * `text` as it may appear in a message or a log line: control characters escaped (`\n`, `\u001b`), so that a
 * client's CR/LF cannot forge a log line, and at most `max` characters, the cut said.
 */
export function loggableText(text: string, max: number): string {
  const escaped = text.replace(CONTROL, escapeControl);
  return escaped.length <= max
    ? escaped
    : `${escaped.slice(0, max)}…(${escaped.length - max} more characters)`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
