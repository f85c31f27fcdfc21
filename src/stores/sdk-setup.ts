/**
 * What the AWS SDK v3 could not find before sending a request. Both are the normal state of a laptop that runs
 * against DynamoDB Local or dynalite with no AWS configuration, and neither is about IAM, the table or the
 * network, so the errors that report them get their own advice.
 */
export type MissingSdkSetting = 'region' | 'credentials';

/**
 * Recognises the SDK's errors for a client with no region or no credentials, as the SDK throws them (checked
 * against `@aws-sdk/client-dynamodb` 3.1162 with no `AWS_*` variable and no `~/.aws` files):
 *
 * - no region: a plain `Error` with the message `Region is missing` (`@smithy/core`'s region resolver, after it
 *   asked the EC2 instance metadata service);
 * - no credentials: a `CredentialsProviderError` (`Could not load credentials from any providers`, or a profile
 *   that cannot be resolved), from the default provider chain.
 */
export function missingSdkSetting(error: unknown): MissingSdkSetting | undefined {
  if (!(error instanceof Error)) return undefined;
  if (/^Region is missing\b/.test(error.message)) return 'region';
  if (error.name === 'CredentialsProviderError') return 'credentials';
  return undefined;
}

/** How to get the SDK running locally, said the same way by the store and the CLI. */
export const LOCAL_CREDENTIALS_ADVICE =
  'against a local endpoint (DynamoDB Local, dynalite) any credentials do: set AWS_ACCESS_KEY_ID and ' +
  'AWS_SECRET_ACCESS_KEY to any letters and digits (e.g. local; DynamoDB Local accepts only those)';
