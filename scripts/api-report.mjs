#!/usr/bin/env node
// The public API of each entry point (lambda-sessions, /middy, /testing) as api-extractor reports it in etc/.
// `npm run check:api` (CI) fails when the built declarations differ from the committed reports, so a change to
// the public surface shows in review; `npm run api` rewrites the reports after an intended change.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { fileURLToPath } from 'node:url';

const local = process.argv.includes('--local');
const root = fileURLToPath(new URL('../', import.meta.url));
let failed = false;
for (const file of ['api-extractor.json', 'api-extractor.middy.json', 'api-extractor.testing.json']) {
  const config = ExtractorConfig.loadFileAndPrepare(`${root}${file}`);
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false });
  if (!result.succeeded) {
    failed = true;
    console.error(
      `${config.reportFilePath}: the public API changed (${result.errorCount} errors, ${result.warningCount} ` +
        'warnings). If the change is intended, run `npm run api` and commit etc/.',
    );
  } else {
    console.log(`${file}: the public API matches ${config.reportFilePath.replace(root, '')}`);
  }
}
process.exit(failed ? 1 : 0);
