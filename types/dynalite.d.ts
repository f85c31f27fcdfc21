// The part of dynalite's API this repository uses (it ships no types of its own).
declare module 'dynalite' {
  import { type Server } from 'node:http';

  interface DynaliteOptions {
    /** Keep the data in LevelDB at this path; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
