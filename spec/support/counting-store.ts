import { MemorySessionStore } from '../../src';

/** A memory store that records each call, for unit tests of the engine's own decisions. */
export class CountingStore extends MemorySessionStore {
  readonly calls: string[] = [];

  override load(key: string) {
    this.calls.push('load');
    return super.load(key);
  }

  override save(...args: Parameters<MemorySessionStore['save']>) {
    this.calls.push('save');
    return super.save(...args);
  }

  override touch(...args: Parameters<MemorySessionStore['touch']>) {
    this.calls.push('touch');
    return super.touch(...args);
  }

  override delete(key: string) {
    this.calls.push('delete');
    return super.delete(key);
  }
}
