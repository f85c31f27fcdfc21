import { type SessionClass } from '../data-codec';
import { isStandardSchema, type SessionSchema } from '../standard-schema';
import { SessionMetadataError } from '../errors';
import { methodName, onConstructor, record } from './parameters';

/**
 * Injects the session into a parameter of a method decorated with `@Session()`: an instance of the
 * parameter's class, hydrated from the store with class-transformer (`new Class()` for a new session) and
 * validated with class-validator before it is written. Change it in place.
 *
 * The class is `type` when given, else the parameter's declared type as TypeScript's `emitDecoratorMetadata`
 * records it. Bundlers that emit no decorator metadata (esbuild, as CDK's `NodejsFunction` and SAM use it)
 * need `type`. A parameter typed as an interface, `object` or `any` gets the plain stored value, unvalidated.
 *
 * `type` may instead be a Standard Schema validator (valibot, zod, arktype): the parameter is then the
 * schema's output for the stored JSON (for `{}` when the session is new), validated by the schema before
 * every write, and neither class-validator nor class-transformer is loaded.
 *
 * @example
 * class CartHandler {
 *   @Session({ update: true })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart) { ... }
 * }
 */
export function SessionData(type?: SessionClass | SessionSchema): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw onConstructor('@SessionData()', target);
    // Before the class test: an arktype schema is a function too.
    if (isStandardSchema(type)) {
      record(target, propertyKey, { kind: 'data', index, explicitType: undefined, schema: type });
      return;
    }
    if (type !== undefined && typeof type !== 'function') {
      throw new SessionMetadataError(
        `@SessionData() on ${methodName(target, propertyKey)} was given ${String(type)}: pass the session ` +
          'class itself, as in @SessionData(Cart), or a Standard Schema validator (valibot, zod).',
      );
    }
    record(target, propertyKey, { kind: 'data', index, explicitType: type });
  };
}
