import { AppError } from '../common/errors/app-error';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** docs/API.md §4 Passwords: 8–128 characters, not the username, not the email. 400 in fastapi-users' shape. */
export function assertPasswordAcceptable(
  password: string,
  username: string,
  email: string,
  code:
    | 'REGISTER_INVALID_PASSWORD'
    | 'UPDATE_USER_INVALID_PASSWORD'
    | 'RESET_PASSWORD_INVALID_PASSWORD' = 'REGISTER_INVALID_PASSWORD',
): void {
  const reason = passwordProblem(password, username, email);
  if (reason) throw new AppError(code, { code, reason });
}

export function passwordProblem(password: string, username: string, email: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Password should be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `Password should be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lowered = password.toLowerCase();
  if (lowered === username.toLowerCase()) return 'Password should not be the same as the username';
  if (lowered === email.toLowerCase()) return 'Password should not be the same as the email';
  return null;
}
