// What DynamoDB requests a client sends and the capacity units each consumed: the benchmarks' probe, with
// ReturnConsumedCapacity: 'TOTAL' added to every request by a client middleware.
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One request as the probe saw it. */
export interface SeenRequest {
  readonly op: string;
  readonly units: number;
}

/** The units a response reports: one `ConsumedCapacity`, or one per table (`BatchGetItem`), summed. */
export function consumedUnits(output: unknown): number {
  const consumed = (
    output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
  ).ConsumedCapacity;
  return [consumed ?? []].flat().reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

/** Records every request `client` sends from now on, with its units, until `stop()`. */
export function watchCapacity(client: DynamoDBClient): { seen: SeenRequest[]; stop(): void } {
  const seen: SeenRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      seen.push({
        op: String(context.commandName).replace(/Command$/, ''),
        units: consumedUnits(result.output),
      });
      return result;
    },
    { step: 'initialize', name: 'bench-capacity', override: true },
  );
  return { seen, stop: () => client.middlewareStack.remove('bench-capacity') };
}
