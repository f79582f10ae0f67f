import { judgeSession, needsTouch } from './session-rules';

describe('judgeSession', () => {
  const limits = { idleTimeoutSeconds: 1200, maxLifetimeSeconds: 3600 };
  const start = new Date('2026-01-01T00:00:00Z');
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const session = (lastSeenSeconds: number, revoked = false) => ({
    createdAt: start,
    lastSeenAt: at(lastSeenSeconds),
    revokedAt: revoked ? at(1) : null,
  });

  it('accepts a fresh session', () => {
    expect(judgeSession(session(0), at(0), limits)).toBeNull();
  });

  it('ends a session idle for the whole timeout, not a second before', () => {
    expect(judgeSession(session(0), at(1199.999), limits)).toBeNull();
    expect(judgeSession(session(0), at(1200), limits)).toBe('idle');
    expect(judgeSession(session(1000), at(2199), limits)).toBeNull();
  });

  it('ends a session at its maximum lifetime even when active', () => {
    expect(judgeSession(session(3599), at(3599.5), limits)).toBeNull();
    expect(judgeSession(session(3599), at(3600), limits)).toBe('expired');
  });

  it('refuses a revoked session whatever its times', () => {
    expect(judgeSession(session(0, true), at(0), limits)).toBe('revoked');
  });
});

describe('needsTouch', () => {
  it('writes activity at most once per interval', () => {
    const seen = new Date('2026-01-01T00:00:00Z');
    expect(needsTouch(seen, new Date(seen.getTime() + 59_999), 60_000)).toBe(false);
    expect(needsTouch(seen, new Date(seen.getTime() + 60_000), 60_000)).toBe(true);
  });
});
