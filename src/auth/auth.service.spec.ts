import { AppError } from '../common/errors/app-error';
import { loadConfig } from '../config/load-config';
import type { User } from '../users/user.entity';
import { AuthService, LoginRefusedError } from './auth.service';

const context = { ip: '198.51.100.7', userAgent: 'jest', requestId: 'r1' };
const USER_ID = '44444444-4444-4444-8444-444444444444';

function user(overrides: Partial<User> = {}): User {
  return {
    id: USER_ID,
    username: 'ada',
    email: 'ada@example.org',
    hashedPassword: '$argon2id$stored',
    isActive: true,
    isSuperuser: false,
    isApproved: true,
    approvalStatus: 'approved',
    failedLoginCount: 0,
    lockedUntil: null,
    ...overrides,
  } as User;
}

function build(found: User | null, verified = { valid: true, needsRehash: false }, locked = false) {
  const users = { findByLogin: jest.fn(async () => found), create: jest.fn() };
  const credentials = {
    verify: jest.fn(async () => verified),
    verifyDummy: jest.fn(async () => undefined),
    lockState: jest.fn(async () => ({ locked, failedHere: locked })),
    recordFailure: jest.fn(async () => undefined),
    recordSuccess: jest.fn(async () => undefined),
  };
  const sessions = { start: jest.fn(async () => ({ id: 'sid', createdAt: new Date() })), end: jest.fn() };
  const tokens = { issue: jest.fn(() => 'signed.jwt.token') };
  const audit = { recordDetached: jest.fn() };
  const metrics = { countLogin: jest.fn() };
  const sut = new AuthService(
    loadConfig({}),
    users as never,
    credentials as never,
    sessions as never,
    tokens as never,
    audit as never,
    metrics as never,
  );
  return { sut, credentials, sessions, audit, metrics };
}

async function refusal(promise: Promise<unknown>): Promise<LoginRefusedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoginRefusedError) return error;
    throw error;
  }
  throw new Error('the login was not refused');
}

describe('AuthService.login', () => {
  it('opens a session and answers the token with the login user shape', async () => {
    const { sut, sessions, credentials } = build(user());
    const answer = await sut.login('ada', 'right-password', context);
    expect(answer).toEqual({
      access_token: 'signed.jwt.token',
      token_type: 'bearer',
      user: { id: USER_ID, username: 'ada', email: 'ada@example.org', is_active: true, is_superuser: false, is_approved: true },
    });
    expect(sessions.start).toHaveBeenCalledWith({ id: USER_ID, username: 'ada' }, context);
    // No failure from this address on record: nothing to clear (recordSuccess skips the DELETE).
    expect(credentials.recordSuccess).toHaveBeenCalledWith(
      expect.anything(),
      context.ip,
      'right-password',
      expect.anything(),
      false,
    );
  });

  it('spends a dummy verify on an unknown user and answers as a wrong password would', async () => {
    const unknown = build(null);
    const unknownError = await refusal(unknown.sut.login('nobody', 'pw', context));
    expect(unknown.credentials.verifyDummy).toHaveBeenCalledWith('pw', context.ip);
    const wrong = build(user(), { valid: false, needsRehash: false });
    const wrongError = await refusal(wrong.sut.login('ada', 'pw', context));
    expect(wrong.credentials.recordFailure).toHaveBeenCalled();
    expect([unknownError.answer.status, unknownError.answer.toBody('x')]).toEqual([
      wrongError.answer.status,
      wrongError.answer.toBody('x'),
    ]);
    expect(unknownError.answer).toMatchObject({ status: 401, detail: 'Invalid credentials' });
  });

  it('verifies even when locked, then refuses exactly like a wrong password without counting', async () => {
    const { sut, credentials, sessions } = build(user(), { valid: true, needsRehash: false }, true);
    const error = await refusal(sut.login('ada', 'right-password', context));
    expect(credentials.verify).toHaveBeenCalledTimes(1);
    expect(error.reason).toBe('locked');
    expect(error.answer).toMatchObject({ status: 401, detail: 'Invalid credentials' });
    expect(credentials.recordFailure).not.toHaveBeenCalled();
    expect(sessions.start).not.toHaveBeenCalled();
  });

  it.each([
    [{ approvalStatus: 'rejected', isApproved: false, isActive: false }, 'rejected', 'ACCOUNT_REJECTED', 403],
    [{ approvalStatus: 'pending', isApproved: false, isActive: false }, 'pending', 'ACCOUNT_PENDING', 403],
    [{ isActive: false }, 'inactive', 'INACTIVE_USER', 400],
  ] as const)('reveals the account state only after a correct password: %j', async (state, reason, code, status) => {
    const { sut, sessions } = build(user(state as Partial<User>));
    const error = await refusal(sut.login('ada', 'right-password', context));
    expect(error.reason).toBe(reason);
    expect(error.answer).toBeInstanceOf(AppError);
    expect(error.answer).toMatchObject({ code, status });
    expect(sessions.start).not.toHaveBeenCalled();
  });

  it('keeps an unknown identifier out of the audit trail (it may be a password typed in the wrong field)', async () => {
    const { sut, audit } = build(null);
    await refusal(sut.login('my-secret-password', 'pw', context));
    expect(audit.recordDetached.mock.calls[0][0]).toMatchObject({
      eventType: 'login_failed',
      target: null,
      details: { reason: 'unknown_user' },
    });
  });
});
