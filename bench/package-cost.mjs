#!/usr/bin/env node
// What a user gets from the packed tarball: bundle bytes and cold start. Packs the repository (`npm pack`, which
// builds it), installs the tarball with its peers in a fresh project outside the repository (as
// scripts/pack-check.sh does), and
//   - bundles three handlers with esbuild as CDK and SAM do (minified, node20, `@aws-sdk/*` external, ESM and
//     CJS): a decorator + DynamoDB handler, a withSession() handler on plain JSON data and one on a session
//     class (both on the memory store); and counts, from esbuild's metafile, the bytes of each package's inputs;
//   - times the cold start of the two withSession() handlers, bundled (the CJS bundle) and unbundled (the
//     installed package, required from node_modules): process start to first response (`performance.now()` in
//     the handler's process, whose origin is the process start), in fresh processes, interleaved.
// Not part of `npm run bench` (it packs and installs). Run: node bench/package-cost.mjs [repository] [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(process.argv[2] ?? '.');
const runs = Number(process.argv[3] ?? 7);
const here = resolve(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'package-cost-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const sh = (cmd, args, cwd = work) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const tarball = sh('npm', ['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').pop();
const version = (name) =>
  JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
sh('npm', ['init', '-y']);
sh('npm', [
  'install',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
  `./${tarball}`,
  ...[
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    'class-validator',
    'class-transformer',
    'reflect-metadata',
    'esbuild',
  ].map((name) => `${name}@${version(name)}`),
]);

const COUNTER = `class Counter { value = 0; }\nIsInt()(Counter.prototype, 'value');\n`;
const handlers = {
  'decorator-dynamodb': `import { IsInt } from 'class-validator';
import { configureSessions, lambdaHandler, Session, SessionData } from 'lambda-sessions';
configureSessions({ tableName: 'sessions' });
class Counter { @IsInt() value = 0; }
class Handler {
  @Session({ update: true })
  async handle(_event: unknown, @SessionData(Counter) counter: Counter) {
    counter.value += 1;
    return { statusCode: 200, headers: {}, body: String(counter.value) };
  }
}
export const handler = lambdaHandler(new Handler(), 'handle');
`,
  'plain-memory': `import { configureSessions, getSessionData, MemorySessionStore, setSessionData, withSession } from 'lambda-sessions';
configureSessions({ store: new MemorySessionStore() });
export const handler = withSession(async () => {
  setSessionData((getSessionData<number>() ?? 0) + 1);
  return { statusCode: 200, headers: {}, body: String(getSessionData()) };
}, { update: true });
`,
  'class-memory': `import { IsInt } from 'class-validator';
import { configureSessions, getSessionData, MemorySessionStore, withSession } from 'lambda-sessions';
configureSessions({ store: new MemorySessionStore() });
${COUNTER}export const handler = withSession(async () => {
  getSessionData<Counter>().value += 1;
  return { statusCode: 200, headers: {}, body: String(getSessionData<Counter>().value) };
}, { type: Counter, update: true });
`,
};
// The same two withSession() handlers unbundled, as CommonJS requiring the installed package.
const unbundled = {
  'plain-memory': `const { configureSessions, getSessionData, MemorySessionStore, setSessionData, withSession } = require('lambda-sessions');
configureSessions({ store: new MemorySessionStore() });
exports.handler = withSession(async () => {
  setSessionData((getSessionData() ?? 0) + 1);
  return { statusCode: 200, headers: {}, body: String(getSessionData()) };
}, { update: true });
`,
  'class-memory': `const { IsInt } = require('class-validator');
const { configureSessions, getSessionData, MemorySessionStore, withSession } = require('lambda-sessions');
configureSessions({ store: new MemorySessionStore() });
${COUNTER}exports.handler = withSession(async () => {
  getSessionData().value += 1;
  return { statusCode: 200, headers: {}, body: String(getSessionData().value) };
}, { type: Counter, update: true });
`,
};
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({ compilerOptions: { experimentalDecorators: true, target: 'ES2022' } }),
);
for (const [name, code] of Object.entries(handlers)) writeFileSync(join(work, `${name}.ts`), code);
for (const [name, code] of Object.entries(unbundled)) writeFileSync(join(work, `${name}.cjs`), code);

const { build } = createRequire(join(work, 'package.json'))('esbuild');
const GROUPS = {
  'lambda-sessions': /node_modules\/lambda-sessions\//,
  'class-validator (+ validator, libphonenumber-js)':
    /node_modules\/(class-validator|validator|libphonenumber-js)\//,
  'class-transformer': /node_modules\/class-transformer\//,
  'reflect-metadata': /node_modules\/reflect-metadata\//,
  cookie: /node_modules\/cookie\//,
};
console.log(`lambda-sessions from ${tarball}, esbuild ${version('esbuild')}, Node ${process.version}`);
console.log(
  '\n| handler | format | lambda-sessions B | class-validator B | class-transformer B | reflect-metadata B | cookie B | whole bundle B |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const name of Object.keys(handlers)) {
  for (const format of ['esm', 'cjs']) {
    const outfile = join(work, 'out', `${name}.${format === 'esm' ? 'mjs' : 'js'}`);
    const { metafile } = await build({
      absWorkingDir: work,
      entryPoints: [join(work, `${name}.ts`)],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format,
      external: ['@aws-sdk/*'],
      metafile: true,
      logLevel: 'error',
    });
    const output = Object.values(metafile.outputs)[0];
    const bytes = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, 0]));
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      for (const [group, pattern] of Object.entries(GROUPS))
        if (pattern.test(path)) bytes[group] += bytesInOutput;
    }
    console.log(
      `| ${name} | ${format} | ${Object.values(bytes)
        .map((b) => b.toLocaleString('en'))
        .join(' | ')} | ${output.bytes.toLocaleString('en')} |`,
    );
  }
}

// Cold start: process start to the first response, each run a fresh process; variants interleaved.
const probe = (file) =>
  `const t=require('node:perf_hooks').performance;(async()=>{const {handler}=require(${JSON.stringify(file)});` +
  `const r=await handler({headers:{}},{});if(r.statusCode!==200)throw new Error('bad');` +
  `process.stdout.write(String(t.now()))})()`;
const variants = {
  'plain-memory, bundled': join(work, 'out', 'plain-memory.js'),
  'class-memory, bundled': join(work, 'out', 'class-memory.js'),
  'plain-memory, unbundled': join(work, 'plain-memory.cjs'),
  'class-memory, unbundled': join(work, 'class-memory.cjs'),
};
const times = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
for (let r = 0; r < runs; r++) {
  for (const [label, file] of Object.entries(variants).sort(() => Math.random() - 0.5)) {
    const out = spawnSync(process.execPath, ['-e', probe(file)], { cwd: work, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${label}: ${out.stderr}`);
    times[label].push(Number(out.stdout));
  }
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
console.log(
  `\nCold start, process start to first response, ms over ${runs} fresh processes each (min / median / max):\n`,
);
console.log('| handler | min | median | max |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, xs] of Object.entries(times)) {
  const s = sorted(xs);
  console.log(
    `| ${label} | ${s[0].toFixed(1)} | ${s[Math.floor(s.length / 2)].toFixed(1)} | ${s.at(-1).toFixed(1)} |`,
  );
}
