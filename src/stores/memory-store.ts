import {
  checkDeleteCondition,
  checkWriteCondition,
  type DeleteCondition,
  ownedSummary,
  type OwnerIndex,
  type SessionStore,
  type StoredSession,
  type TouchChange,
} from './session-store';

/**
 * Sessions in this process's memory, with the same conditional-write rules as the DynamoDB store. For unit
 * tests and local runs: a Lambda execution environment's memory is neither shared nor durable.
 */
export class MemorySessionStore implements SessionStore {
  private readonly items = new Map<string, StoredSession>();
  private readonly epochs = new Map<string, number>();

  /** The owners' epochs and index, for sessions that belong to a user. */
  readonly owners: OwnerIndex = {
    loadOwned: async (key, ownerKey) => {
      const item = this.items.get(key);
      return { session: item && { ...item }, epoch: this.epochs.get(ownerKey) ?? 0 };
    },
    epoch: async (ownerKey) => this.epochs.get(ownerKey) ?? 0,
    revokeAll: async (ownerKey) => {
      const epoch = (this.epochs.get(ownerKey) ?? 0) + 1;
      this.epochs.set(ownerKey, epoch);
      return epoch;
    },
    list: async (ownerKey) =>
      [...this.items.values()].filter((item) => item.owner === ownerKey).map(ownedSummary),
  };

  async load(key: string): Promise<StoredSession | undefined> {
    const item = this.items.get(key);
    return item && { ...item };
  }

  async save(session: StoredSession, expectedVersion: number | undefined): Promise<void> {
    if (checkWriteCondition(this.items.get(session.key), session, expectedVersion) === 'applied') return;
    this.items.set(session.key, { ...session });
  }

  async touch(key: string, { expiresAt, updatedAt, expectedVersion }: TouchChange): Promise<boolean> {
    const current = this.items.get(key);
    if (current?.version !== expectedVersion) return false;
    this.items.set(key, { ...current, expiresAt, updatedAt });
    return true;
  }

  async delete(key: string, condition?: DeleteCondition): Promise<'deleted' | 'absent'> {
    if (checkDeleteCondition(this.items.get(key), key, condition) === 'absent') return 'absent';
    this.items.delete(key);
    return 'deleted';
  }

  /** How many sessions are held (expired ones included, as in DynamoDB before its TTL sweep). */
  get size(): number {
    return this.items.size;
  }
}
