// class-transformer ships the types of its metadata storage under types/, not beside cjs/storage.js: this names
// the one export src/validation-rules.ts reads, as what it is to this code (its shape is checked at run time).
declare module 'class-transformer/cjs/storage.js' {
  export const defaultMetadataStorage: unknown;
}
