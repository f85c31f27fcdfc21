// Which local DynamoDB the backend-neutral integration specs run on: dynalite in this process by default,
// moto_server with DYNAMO_BACKEND=moto (npm run test:moto). A spec opts in with useSessionTable(startDynamoBackend).
import { type LocalDynamo, startDynalite } from './dynalite';
import { startMoto } from './moto';

/** The local DynamoDB implementations the specs can run on. */
export type DynamoBackend = 'dynalite' | 'moto';

const STARTERS: Readonly<Record<DynamoBackend, () => Promise<LocalDynamo>>> = {
  dynalite: startDynalite,
  moto: startMoto,
};

/** The backend of this run, from `DYNAMO_BACKEND`: `dynalite` (the default) or `moto`. */
export const dynamoBackend: DynamoBackend = chosenBackend(process.env.DYNAMO_BACKEND);

/** Starts the backend of this run on a free loopback port. */
export function startDynamoBackend(): Promise<LocalDynamo> {
  return STARTERS[dynamoBackend]();
}

function chosenBackend(name: string | undefined): DynamoBackend {
  if (name === undefined || name === '') return 'dynalite';
  if (Object.hasOwn(STARTERS, name)) return name as DynamoBackend;
  throw new Error(
    `DYNAMO_BACKEND=${name} names no local DynamoDB these specs know: set it to dynalite (the default, also ` +
      'when unset) or moto.',
  );
}
