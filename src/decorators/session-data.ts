import { type SessionClass } from '../data-codec';
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
 * @example
 * class CartHandler {
 *   @Session({ update: true })
 *   async handle(event: APIGatewayProxyEventV2, @SessionData(Cart) cart: Cart) { ... }
 * }
 */
export function SessionData(type?: SessionClass): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw onConstructor('@SessionData()', target);
    if (type !== undefined && typeof type !== 'function') {
      throw new SessionMetadataError(
        `@SessionData() on ${methodName(target, propertyKey)} was given ${String(type)}: pass the session ` +
          'class itself, as in @SessionData(Cart).',
      );
    }
    record(target, propertyKey, { kind: 'data', index, explicitType: type });
  };
}
