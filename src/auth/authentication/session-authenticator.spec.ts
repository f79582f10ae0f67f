import { Clock } from '../../common/clock/clock';
import { loadConfig } from '../../config/load-config';
import type { CachedSession, SessionCache } from '../../sessions/session-cache';
import { SessionsService } from '../../sessions/sessions.service';
import type { SessionWithOwner } from '../../users/users.repository.types';
import { SessionAuthenticator } from './session-authenticator';

class FakeClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  override now(): Date {
    return this.current;
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

const USER = '6f1d2c3b-4a5e-4f60-8172-839405162738';
const SESSION = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';

describe('SessionAuthenticator with a fake clock', () => {
  const start = new Date('2026-05-01T10:00:00Z');
  let clock: FakeClock;
  let row: SessionWithOwner;
  let users: { findSessionWithOwner: jest.Mock };
  let repository: { touch: jest.Mock };
  let sut: SessionAuthenticator;
  let memory: Map<string, CachedSession>;

  /** The cache as the authenticator sees it, always listening (the database part is tested e2e). */
  const cache = () =>
    ({
      get: (id: string) => memory.get(id),
      set: (entry: CachedSession) => memory.set(entry.id, entry),
      forgetSession: (id: string) => memory.delete(id),
      forgetUser: () => memory.clear(),
    }) as unknown as SessionCache;

  const build = () => {
    const config = loadConfig({});
    const sessions = new SessionsService(repository as never, {} as never, config, clock, cache());
    sut = new SessionAuthenticator(users as never, sessions, cache(), config, clock);
  };

  beforeEach(() => {
    clock = new FakeClock(start);
    row = {
      session_id: SESSION,
      user_id: USER,
      created_at: start,
      last_seen_at: start,
      revoked_at: null,
      username: 'ada',
      email: 'ada@example.org',
      is_active: true,
      is_superuser: false,
    };
    users = { findSessionWithOwner: jest.fn(async () => row) };
    repository = { touch: jest.fn(async () => undefined) };
    memory = new Map();
    build();
  });

  it('accepts a live session and touches it only after the touch interval (60 s)', async () => {
    clock.advance(30);
    expect(await sut.check(SESSION, USER)).toEqual({
      principal: { id: USER, username: 'ada', email: 'ada@example.org', isActive: true, isSuperuser: false, sessionId: SESSION },
    });
    expect(repository.touch).not.toHaveBeenCalled();
    clock.advance(30);
    await sut.check(SESSION, USER);
    expect(repository.touch).toHaveBeenCalledTimes(1);
    expect(repository.touch).toHaveBeenCalledWith(SESSION, clock.now());
  });

  it('rejects after 20 minutes idle, 60 minutes of age, revocation, deactivation, or a foreign sub', async () => {
    clock.advance(1200);
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'idle', userId: USER });
    row.last_seen_at = new Date(start.getTime() + 3000_000);
    clock.advance(2400);
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'expired', userId: USER });
    clock = new FakeClock(start);
    build();
    row.last_seen_at = start;
    row.revoked_at = start;
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'revoked', userId: USER });
    row.revoked_at = null;
    row.is_active = false;
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'revoked', userId: USER });
    row.is_active = true;
    expect(await sut.check(SESSION, '7f1d2c3b-4a5e-4f60-8172-839405162738')).toEqual({ rejected: 'invalid' });
    expect(repository.touch).not.toHaveBeenCalled();
  });

  it('rejects a session that does not exist', async () => {
    users.findSessionWithOwner.mockResolvedValue(null);
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'invalid' });
  });

  it('never queries for ids that are not UUIDs', async () => {
    expect(await sut.check("x' OR 1=1 --", USER)).toEqual({ rejected: 'invalid' });
    expect(await sut.check(SESSION, 'not-a-uuid')).toEqual({ rejected: 'invalid' });
    expect(users.findSessionWithOwner).not.toHaveBeenCalled();
  });

  it('answers repeated requests from memory, touching once per interval', async () => {
    await sut.check(SESSION, USER);
    expect(users.findSessionWithOwner).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5; i += 1) {
      clock.advance(10);
      expect(await sut.check(SESSION, USER)).toHaveProperty('principal.sessionId', SESSION);
    }
    expect(users.findSessionWithOwner).toHaveBeenCalledTimes(1);
    expect(repository.touch).toHaveBeenCalledTimes(0);
    clock.advance(15); // 65 s since the last known activity
    await sut.check(SESSION, USER);
    expect(repository.touch).toHaveBeenCalledTimes(1);
    expect(users.findSessionWithOwner).toHaveBeenCalledTimes(1);
  });

  it('re-reads a session that looks idle in memory: another instance may have seen activity', async () => {
    await sut.check(SESSION, USER);
    clock.advance(1200);
    row.last_seen_at = new Date(clock.now().getTime() - 5_000); // touched elsewhere 5 s ago
    expect(await sut.check(SESSION, USER)).toHaveProperty('principal');
    expect(users.findSessionWithOwner).toHaveBeenCalledTimes(2);
    clock.advance(1200);
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'idle', userId: USER });
  });

  it('forgets a session the database refuses, and never serves another user from memory', async () => {
    await sut.check(SESSION, USER);
    expect(await sut.check(SESSION, '7f1d2c3b-4a5e-4f60-8172-839405162738')).toEqual({ rejected: 'invalid' });
    row.revoked_at = clock.now();
    memory.clear();
    expect(await sut.check(SESSION, USER)).toEqual({ rejected: 'revoked', userId: USER });
    expect(memory.size).toBe(0);
  });
});
