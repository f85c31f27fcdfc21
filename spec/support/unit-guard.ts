// Stands in for dynalite and esbuild in jest's unit project (jest.config.js), so that a spec's name keeps
// saying what it starts: `npm run test:unit` runs no emulator and builds nothing.
throw new Error(
  'This unit spec imports dynalite or esbuild. A spec that starts dynalite (or builds the package and runs ' +
    'the build against dynalite) is an integration spec: name it *.dynalite.spec.ts.',
);
