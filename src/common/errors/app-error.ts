/**
 * Every error a client can cause has a stable code; the status each code maps to lives in one
 * table below, and one filter turns an AppError into the FastAPI-shaped body.
 */
export const ERROR_STATUS = {
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_PENDING: 403,
  ACCOUNT_REJECTED: 403,
  INACTIVE_USER: 400,
  LOGIN_BAD_CREDENTIALS: 400,
  REGISTER_USER_ALREADY_EXISTS: 400,
  REGISTER_INVALID_PASSWORD: 400,
  UPDATE_USER_INVALID_PASSWORD: 400,
  RESET_PASSWORD_INVALID_PASSWORD: 400,
  RESET_PASSWORD_BAD_TOKEN: 400,
  VERIFY_USER_BAD_TOKEN: 400,
  VERIFY_USER_ALREADY_VERIFIED: 400,
  LOGIN_USER_NOT_VERIFIED: 400,
  EMAIL_NOT_VERIFIED: 403,
  INVALID_CURRENT_PASSWORD: 400,
  SESSION_NOT_FOUND: 404,
  ADMIN_REQUIRED: 403,
  INVALID_USER_ID: 400,
  INVALID_QUERY: 400,
  INVALID_BODY_ENCODING: 400,
  USER_NOT_FOUND: 404,
  USER_ALREADY_EXISTS: 409,
  USER_ALREADY_SUPERUSER: 400,
  USER_NOT_SUPERUSER: 400,
  USER_ALREADY_APPROVED: 400,
  CANNOT_DEMOTE_SELF: 400,
  CANNOT_DEACTIVATE_SELF: 400,
  CANNOT_DELETE_SELF: 400,
  LAST_SUPERUSER: 409,
  USER_ID_MISMATCH: 400,
  TRUSTED_DOMAIN_NOT_FOUND: 404,
  TRUSTED_DOMAIN_EXISTS: 409,
  RATE_LIMITED: 429,
  LOGIN_BUSY: 503,
  STORAGE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Codes whose body carries the code beside the message (docs/API.md names them). */
const CODE_IN_BODY: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ACCOUNT_REJECTED',
  'EMAIL_NOT_VERIFIED',
  'INVALID_CURRENT_PASSWORD',
  'LAST_SUPERUSER',
  'USER_ALREADY_EXISTS',
  'TRUSTED_DOMAIN_EXISTS',
  'RATE_LIMITED',
  'LOGIN_BUSY',
  'STORAGE_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
]);

/** Faults (not the client's doing): the body carries the request id, and the cause is logged under it. */
const FAULTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['STORAGE_UNAVAILABLE', 'DATABASE_UNAVAILABLE']);

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    /** The `detail` of the body: a message, or a structured object (fastapi-users shape). */
    readonly detail: unknown = code,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(typeof detail === 'string' ? detail : code, options);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }

  get isFault(): boolean {
    return FAULTS.has(this.code);
  }

  toBody(requestId: string): Record<string, unknown> {
    const body: Record<string, unknown> = CODE_IN_BODY.has(this.code)
      ? { detail: this.detail, code: this.code }
      : { detail: this.detail };
    if (this.isFault) body.request_id = requestId;
    return body;
  }
}

export const unauthorized = (): AppError => new AppError('UNAUTHORIZED', 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
