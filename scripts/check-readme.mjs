#!/usr/bin/env node
// Compiles every ```ts block of README.md, each as its own module, with `lambda-sessions` resolved to src/.
// A block preceded by `<!-- not compiled: reason -->` is a fragment and is skipped (the reason says why).
// Names the examples leave to the reader (checkPassword, parseItem, ...) are declared in readme-globals.d.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const out = new URL('build/readme/', root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/(<!-- not compiled: [^>]*-->\s*)?```ts\n([\s\S]*?)```/g)];
let compiled = 0;
for (const [index, [, skip, code]] of blocks.entries()) {
  if (skip) continue;
  const line = readme.slice(0, readme.indexOf(code)).split('\n').length;
  // ESM-only imports (middy 6) make the example an ES module, as it is in a user's project.
  const extension = /from '@middy\/core'/.test(code) ? 'mts' : 'ts';
  writeFileSync(new URL(`example-${index + 1}-line-${line}.${extension}`, out), `${code}\nexport {};\n`);
  compiled++;
}
writeFileSync(
  new URL('tsconfig.json', out),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      baseUrl: '../..',
      paths: { 'lambda-sessions': ['src/index.ts'], 'lambda-sessions/middy': ['src/middy.ts'] },
      noUnusedLocals: false,
    },
    include: ['*.ts', '*.mts', '../../scripts/readme-globals.d.ts'],
  }),
);
try {
  execFileSync(
    process.execPath,
    [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', out.pathname],
    {
      stdio: 'inherit',
    },
  );
} catch {
  console.error('README examples do not compile (files in build/readme/, named by their README line).');
  process.exit(1);
}
console.log(
  `README: ${compiled} TypeScript examples compile (${blocks.length - compiled} marked as fragments).`,
);
