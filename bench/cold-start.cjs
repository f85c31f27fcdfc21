// Cold start of an unbundled CommonJS handler, process start to first response, on the memory store: a plain
// JSON withSession() handler, or one on a class-validator session class. Run each variant in fresh processes:
//   for i in 1 2 3 4 5 6 7; do node bench/cold-start.cjs dist/cjs/index.js plain; done
//   for i in 1 2 3 4 5 6 7; do node bench/cold-start.cjs dist/cjs/index.js class; done
// (after `npm run build`; give another build's dist/cjs/index.js to compare). Prints milliseconds.
const started = process.hrtime.bigint();
const [entry, variant = 'plain'] = process.argv.slice(2);
const path = require('node:path');
const lib = require(path.resolve(entry));
lib.configureSessions({ store: new lib.MemorySessionStore() });
let handler;
if (variant === 'class') {
  require('reflect-metadata');
  const { IsInt, Min } = require('class-validator');
  class Counter {
    constructor() {
      this.n = 0;
    }
  }
  IsInt()(Counter.prototype, 'n');
  Min(0)(Counter.prototype, 'n');
  handler = lib.withSession(
    async () => {
      lib.getSessionData().n += 1;
      return { statusCode: 200, headers: {} };
    },
    { type: Counter, update: true },
  );
} else {
  handler = lib.withSession(
    async () => {
      lib.setSessionData({ n: 1 });
      return { statusCode: 200, headers: {} };
    },
    { update: true },
  );
}
handler({ headers: {} }).then(() =>
  console.log((Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)),
);
