import { Clock } from '../../common/clock/clock';
import { loadConfig } from '../../config/load-config';
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

  const build = () => {
    const sessions = new SessionsService(repository as never, {} as never, loadConfig({}), clock);
    sut = new SessionAuthenticator(users as never, sessions);
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
});
