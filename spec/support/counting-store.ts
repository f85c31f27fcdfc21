import { MemorySessionStore, type OwnerIndex } from '../../src';

/** A memory store that records each call, for unit tests of the engine's own decisions. */
export class CountingStore extends MemorySessionStore {
  readonly calls: string[] = [];

  constructor() {
    super();
    // The owners' calls, recorded by their names (`loadOwned`, `epoch`, `revokeAll`, `list`).
    const owners = this.owners;
    (this as { owners: OwnerIndex }).owners = {
      loadOwned: (...args) => (this.calls.push('loadOwned'), owners.loadOwned(...args)),
      epoch: (...args) => (this.calls.push('epoch'), owners.epoch(...args)),
      revokeAll: (...args) => (this.calls.push('revokeAll'), owners.revokeAll(...args)),
      list: (...args) => (this.calls.push('list'), owners.list(...args)),
    };
  }

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

  override delete(...args: Parameters<MemorySessionStore['delete']>) {
    this.calls.push('delete');
    return super.delete(...args);
  }
}
