// Counts the modules that require() of the built library and one memory-store invocation load, then those a
// DynamoDB store adds when it is made: node scripts/count-modules.cjs [dist/cjs/index.js]. An app on another
// store must load no AWS SDK module.
const Module = require('node:module');
const path = require('node:path');

const loaded = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.apply(this, arguments);
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // a builtin
  }
  return exports;
};
const count = (label) => {
  const files = [...loaded].filter((file) => path.isAbsolute(file));
  const sdk = files.filter((file) => /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/.test(file));
  console.log(`${label}: ${files.length} modules, ${sdk.length} of them the AWS SDK's`);
};

require('reflect-metadata');
const lib = require(path.resolve(process.argv[2] ?? 'dist/cjs/index.js'));
(async () => {
  lib.configureSessions({ store: new lib.MemorySessionStore() });
  const handler = lib.withSession(async () => ({ statusCode: 200, headers: {} }));
  await handler({ headers: {} }, {});
  count('memory store');
  new lib.DynamoDBSessionStore({ tableName: 'sessions', region: 'us-east-1' });
  count('then a DynamoDB store');
})();
