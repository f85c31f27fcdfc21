#!/usr/bin/env node
// ES module entry points over the CommonJS build. The library keeps state (configureSessions) and its
// errors are checked with instanceof, so a second, separately built ESM copy would split both (the "dual
// package hazard"). Each .mjs imports the one CommonJS implementation and re-exports its names, and each
// .d.mts re-exports its types. Runs after `tsc -p tsconfig.build.json`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../', import.meta.url);
mkdirSync(new URL('dist/esm/', root), { recursive: true });

for (const entry of ['index', 'middy']) {
  const names = Object.keys(require(new URL(`dist/cjs/${entry}.js`, root).pathname)).filter(
    (n) => n !== '__esModule',
  );
  writeFileSync(
    new URL(`dist/esm/${entry}.mjs`, root),
    `import cjs from '../cjs/${entry}.js';\n\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  writeFileSync(new URL(`dist/esm/${entry}.d.mts`, root), `export * from '../cjs/${entry}.js';\n`);
  console.log(`dist/esm/${entry}.mjs: ${names.length} exports`);
}
