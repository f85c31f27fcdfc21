#!/usr/bin/env node
'use strict';
require('../dist/cjs/cli.js')
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
