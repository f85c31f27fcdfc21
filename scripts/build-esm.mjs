#!/usr/bin/env node
// The ES module build: esbuild over src/, beside the CommonJS build tsc made. A re-export of the CommonJS build
// would not do: an ESM bundle (esbuild --format=esm, as CDK's OutputFormat.ESM and SAM's Format: esm make it)
// inlines that CommonJS code, whose require() of the AWS SDK then fails at the first call ("Dynamic require of
// ... is not supported"). Code splitting gives index.mjs and middy.mjs one shared copy of the implementation.
// Two builds mean two copies when a process loads both; the state that must be one per process lives on
// globalThis (src/process-state.ts), and the errors' instanceof recognises the other copy's (src/errors.ts).
//
// Usage: node scripts/build-esm.mjs [out]   (default dist; [out]/cjs must hold tsc's build already)
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = resolve(root, process.argv[2] ?? 'dist');
const esm = join(out, 'esm');
const entries = ['index', 'middy', 'testing'];
rmSync(esm, { recursive: true, force: true });

// A module whose ES module build differs: src/x.ts is built from src/x.esm.mts beside it. One today, the
// DynamoDB store's loader of the SDK: the CommonJS one requires it, the ES module one imports it (a chunk of
// its own), so that the library's chunks import no `@aws-sdk` package.
const ESM_VARIANTS = ['stores/load-dynamodb-sdk'];
const esmVariants = {
  name: 'esm-variants',
  setup(plugin) {
    plugin.onResolve({ filter: /^\./ }, ({ path, resolveDir }) => {
      const target = relative(join(root, 'src'), join(resolveDir, path)).split('\\').join('/');
      return ESM_VARIANTS.includes(target) ? { path: join(root, 'src', `${target}.esm.mts`) } : undefined;
    });
  },
};

await build({
  entryPoints: entries.map((entry) => join(root, 'src', `${entry}.ts`)),
  outdir: esm,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  bundle: true,
  splitting: true,
  packages: 'external', // the peers and `cookie` resolve from the user's node_modules, as for the CommonJS build
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.build.json'),
  logLevel: 'warning',
  plugins: [esmVariants],
});

const files = readdirSync(esm, { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile() && f.name.endsWith('.mjs'))
  .map((f) => join(f.parentPath, f.name));
const code = new Map(files.map((file) => [relative(esm, file), readFileSync(file, 'utf8')]));

// esbuild emits no decorator metadata (design:paramtypes). src/ defines decorators and applies none, so the two
// builds behave alike; a decorator applied in src/ would make them differ.
for (const [file, text] of code) {
  if (/__decorate|__legacyMetadataTS/.test(text)) {
    throw new Error(
      `${file}: src/ applies a decorator, which esbuild compiles without metadata; apply none.`,
    );
  }
}
// One copy of the implementation, shared by both entries: the error classes are defined in exactly one file.
// No chunk that the entries import statically names the SDK: it loads only when a DynamoDB store is made.
const sdkImporters = [...code].filter(([, text]) => /from\s*["']@aws-sdk\//.test(text)).map(([f]) => f);
if (sdkImporters.length !== 1 || !code.get(sdkImporters[0]).includes('DynamoDBClient')) {
  throw new Error(`the AWS SDK is imported by [${sdkImporters}], expected one chunk of its own`);
}
for (const [file, text] of code) {
  const statics = [...text.matchAll(/^import\s[^;]*?from\s*["'](\.[^"']+)["']/gm)].map((m) => m[1]);
  for (const imported of statics) {
    if (sdkImporters.some((sdk) => join(esm, sdk) === resolve(esm, file, '..', imported))) {
      throw new Error(`${file} imports the SDK's chunk statically; only an import() may reach it`);
    }
  }
}
const definers = [...code].filter(([, text]) => text.includes('lambda-sessions.error-class'));
if (definers.length !== 1) {
  throw new Error(`the error classes are defined in ${definers.length} files, expected one shared chunk`);
}

const require = createRequire(import.meta.url);
for (const entry of entries) {
  // The ESM entry must export what the CommonJS one does, no more, no less.
  const cjsNames = Object.keys(require(join(out, 'cjs', `${entry}.js`)))
    .filter((n) => n !== '__esModule')
    .sort();
  const esmNames = Object.keys(await import(pathToFileURL(join(esm, `${entry}.mjs`)).href)).sort();
  if (cjsNames.join() !== esmNames.join()) {
    throw new Error(`dist/esm/${entry}.mjs exports [${esmNames}], dist/cjs/${entry}.js [${cjsNames}]`);
  }
  // One set of declarations for both builds: the ESM entry's types are the CommonJS ones, re-exported.
  writeFileSync(join(esm, `${entry}.d.mts`), `export * from '../cjs/${entry}.js';\n`);
  console.log(`${relative(root, esm)}/${entry}.mjs: ${esmNames.length} exports`);
}
console.log(`${relative(root, esm)}: ${files.length} files (${[...code.keys()].join(', ')})`);
