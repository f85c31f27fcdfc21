#!/usr/bin/env node
'use strict';
// This command is the package's own process, so it may set its environment (the library never touches a
// user's): silence the AWS SDK's notice that its 2027 releases need Node.js 22, which would otherwise open
// every command's output on Node.js 20. It is read when the first client is built, after this line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('../dist/cjs/cli.js')
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
