import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment of a laptop with no AWS configuration, for the tests of one file: every `AWS_*` variable
 * removed (setup-env.ts sets a region and dummy credentials for all other specs), and the shared config and
 * credentials files pointed at an empty folder, so that a developer's own `~/.aws` cannot supply a region or
 * credentials. Two variables are kept on purpose: the SDK must not ask the EC2 instance metadata service
 * (169.254.169.254, off this machine) for them, and a client without an endpoint still meets the refusing
 * one. Returns the variables that remain, for child processes.
 */
export function useEnvironmentWithoutAws(): { readonly env: Record<string, string> } {
  const saved = { ...process.env };
  const state = { env: {} as Record<string, string> };
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'lambda-sessions-no-aws-'));
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    const env = {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    };
    Object.assign(process.env, env);
    state.env = { PATH: process.env.PATH ?? '', HOME: home, ...env };
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    rmSync(home, { recursive: true, force: true });
  });
  return state;
}
