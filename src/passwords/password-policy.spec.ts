import { AppError } from '../common/errors/app-error';
import { assertPasswordAcceptable, passwordProblem } from './password-policy';

describe('password policy', () => {
  it('accepts 8 to 128 characters, counted as characters not bytes', () => {
    expect(passwordProblem('abcdefgh', 'user', 'u@example.org')).toBeNull();
    expect(passwordProblem('😀'.repeat(128), 'user', 'u@example.org')).toBeNull();
    expect(passwordProblem('abcdefg', 'user', 'u@example.org')).toMatch(/at least 8/);
    expect(passwordProblem('a'.repeat(129), 'user', 'u@example.org')).toMatch(/at most 128/);
  });

  it('refuses the username or the email, in any case', () => {
    expect(passwordProblem('LongUserName', 'longusername', 'u@example.org')).toMatch(/username/);
    expect(passwordProblem('U@EXAMPLE.ORG', 'someone', 'u@example.org')).toMatch(/email/);
  });

  it('throws 400 in the fastapi-users shape', () => {
    let thrown: unknown;
    try {
      assertPasswordAcceptable('short', 'user', 'u@example.org');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).status).toBe(400);
    expect((thrown as AppError).toBody('request-id')).toEqual({
      detail: { code: 'REGISTER_INVALID_PASSWORD', reason: 'Password should be at least 8 characters' },
    });
  });
});
