// How long require() of a set of packages takes in a fresh process, min/median/max over several processes:
// node scripts/require-time.cjs [runs] (default 9), from the repository's root. Each run starts one process
// per set, the sets interleaved, so that a busy machine slows them alike. The figures behind README's
// "Standard Schema" cold-start claim.
const { execFileSync } = require('node:child_process');

const SETS = [['valibot'], ['class-validator'], ['class-validator', 'class-transformer', 'reflect-metadata']];
const ONE =
  'const s = process.hrtime.bigint(); for (const n of process.argv.slice(1)) require(n); ' +
  'console.log(Number(process.hrtime.bigint() - s) / 1e6);';
const runs = Number(process.argv[2] ?? 9);
const times = SETS.map(() => []);
for (let i = 0; i < runs; i++) {
  SETS.forEach((set, j) => {
    const out = execFileSync(process.execPath, ['-e', ONE, ...set], { cwd: process.cwd(), encoding: 'utf8' });
    times[j].push(Number(out));
  });
}
SETS.forEach((set, j) => {
  const sorted = times[j].sort((a, b) => a - b);
  const [min, median, max] = [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted.at(-1)];
  console.log(
    `${set.join(' + ')}: min ${min.toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms (${runs} processes)`,
  );
});
