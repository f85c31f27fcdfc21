import { type ResolvedSessionOptions } from './options';
import { type StoredSession } from './stores/session-store';

type Timeouts = Pick<ResolvedSessionOptions, 'ttl' | 'absoluteTimeout'>;

/**
 * When a session dies, in epoch ms: the earlier of its idle limit (from its last use) and its absolute limit
 * (from its creation); `undefined` when both are disabled.
 */
export function deadline(createdAt: number, lastUsed: number, timeouts: Timeouts): number | undefined {
  const idle = timeouts.ttl > 0 ? lastUsed + timeouts.ttl * 1000 : Infinity;
  const absolute = timeouts.absoluteTimeout > 0 ? createdAt + timeouts.absoluteTimeout * 1000 : Infinity;
  const earliest = Math.min(idle, absolute);
  return earliest === Infinity ? undefined : earliest;
}

/**
 * Whether a stored session is still alive at `now`. DynamoDB deletes expired items lazily (typically within
 * days of their TTL), so a read must check expiry itself. Both the stored TTL and the current timeouts count:
 * shortening `ttl` in a deployment shortens the sessions already stored.
 */
export function isAlive(session: StoredSession, now: number, timeouts: Timeouts): boolean {
  if (session.expiresAt !== undefined && session.expiresAt <= now) return false;
  const current = deadline(session.createdAt, session.updatedAt, timeouts);
  return current === undefined || current > now;
}
