/**
 * Session data shaped by a Standard Schema validator (valibot, zod, arktype, ...): the one place that calls
 * `schema['~standard'].validate()` and turns its issues into a {@link SessionValidationError}. Nothing here
 * loads class-validator or class-transformer: a schema handler never does.
 */
import { type StandardSchemaV1 } from '@standard-schema/spec';
import { type ValidationError } from 'class-validator';
import { SessionValidationError, type ValidationSource } from './errors';

/**
 * A Standard Schema validator (https://standardschema.dev) as the session's shape: valibot, zod (3.24 and
 * later), arktype and others implement it. Its output, for the stored JSON, is the session.
 */
export type SessionSchema = StandardSchemaV1;

/** Whether `value` is a Standard Schema validator (arktype's are functions, the others' objects). */
export function isStandardSchema(value: unknown): value is SessionSchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props: unknown = Reflect.get(value, '~standard');
  return typeof props === 'object' && props !== null && typeof Reflect.get(props, 'validate') === 'function';
}

/**
 * `value` as the schema outputs it (sync or async validators alike); a {@link SessionValidationError} from
 * `source` naming every issue, without the values, when the schema refuses it.
 */
export async function parseWithSchema(
  schema: SessionSchema,
  value: unknown,
  source: ValidationSource,
): Promise<unknown> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return result.value;
  const { vendor } = schema['~standard'];
  throw new SessionValidationError(
    result.issues.map((issue) => asValidationError(issue, vendor, value)),
    source,
    { validator: vendor },
  );
}

/**
 * An issue in the shape class-validator reports a failure (so that the message, the log lines and `errors`
 * are built as for a class): the path joined with dots as the property, the vendor as the constraint's name,
 * and the message without the value at the path. Validators quote it (valibot: `... but received "alice"`),
 * and the error must hold none of the session. The issue itself (valibot's holds the `input`) is not kept.
 */
function asValidationError(issue: StandardSchemaV1.Issue, vendor: string, input: unknown): ValidationError {
  const keys = (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
  return {
    property: keys.map(String).join('.'),
    children: [],
    constraints: { [vendor]: withoutValue(String(issue.message), valueAt(input, keys)) },
  };
}

/** What `input` holds at `keys`, or `undefined` where the path leaves the data. */
function valueAt(input: unknown, keys: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * `message` with a primitive `value` (what JSON holds: validation runs on parsed JSON) that it quotes, bare or
 * as JSON (`"alice"`), replaced by `[value]`.
 */
function withoutValue(message: string, value: unknown): string {
  if (!['string', 'number', 'boolean'].includes(typeof value)) return message;
  const forms = [JSON.stringify(value), String(value)];
  return forms.reduce((text, form) => (form ? text.split(form).join('[value]') : text), message);
}
