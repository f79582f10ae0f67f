/** Why a token's session no longer authenticates (the `details.reason` of `token_rejected`). */
export type SessionRejection = 'revoked' | 'idle' | 'expired';

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
}

export interface SessionLimits {
  idleTimeoutSeconds: number;
  maxLifetimeSeconds: number;
}

/**
 * docs/API.md §5 Sessions and tokens: alive only while not revoked, idle for less than the idle timeout, and younger than
 * the maximum lifetime. Pure, so that it is tested with any clock.
 */
export function judgeSession(session: SessionTimes, now: Date, limits: SessionLimits): SessionRejection | null {
  if (session.revokedAt !== null) return 'revoked';
  const nowMs = now.getTime();
  if (nowMs - session.createdAt.getTime() >= limits.maxLifetimeSeconds * 1000) return 'expired';
  if (nowMs - session.lastSeenAt.getTime() >= limits.idleTimeoutSeconds * 1000) return 'idle';
  return null;
}

/** Activity is written at most once per interval per session (coalesced touches). */
export function needsTouch(lastSeenAt: Date, now: Date, touchIntervalMs: number): boolean {
  return now.getTime() - lastSeenAt.getTime() >= touchIntervalMs;
}
