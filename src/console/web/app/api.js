// Every call the console makes goes through api(): the API of docs/API.md, nothing private.
// The token lives in sessionStorage (one tab, gone when the tab closes). A 401 on a call that
// carried the token means the session ended (idle, revoked, deactivated): say so, back to sign-in.

const TOKEN_KEY = 'gatehouse.token';
const NOTICE_KEY = 'gatehouse.notice';
const RETURN_KEY = 'gatehouse.return';

export const API_PREFIX = document.querySelector('meta[name="gatehouse-api-prefix"]')?.getAttribute('content') ?? '/api';

export const SESSION_ENDED = 'Your session has ended. Please sign in again.';

/** When the last request that carried the token was answered (the server's idle clock restarts then). */
let lastActivity = Date.now();
const activityListeners = new Set();

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  markActivity();
}

export function lastActivityAt() {
  return lastActivity;
}

export function onActivity(listener) {
  activityListeners.add(listener);
  return () => activityListeners.delete(listener);
}

function markActivity() {
  lastActivity = Date.now();
  for (const listener of activityListeners) listener(lastActivity);
}

/** The message the sign-in page shows once (then forgets): `{ text, alert }`, or null. */
export function takeNotice() {
  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  if (!notice) return null;
  try {
    return JSON.parse(notice);
  } catch {
    return null;
  }
}

export function rememberReturn(path) {
  sessionStorage.setItem(RETURN_KEY, path);
}

export function takeReturn() {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path;
}

/**
 * Forgets the token; the sign-in page then shows `notice` (as an alert when the session ended by
 * itself, as a plain status after signing out). The app listens for 'gatehouse:signed-out'.
 */
export function endSession(notice, { alert = true } = {}) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (notice) sessionStorage.setItem(NOTICE_KEY, JSON.stringify({ text: notice, alert }));
  else sessionStorage.removeItem(NOTICE_KEY);
  window.dispatchEvent(new CustomEvent('gatehouse:signed-out'));
}

/** The claims of the token (for its absolute end, `exp`); null when there is none. */
export function tokenClaims() {
  const token = getToken();
  if (!token) return null;
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(typeof body?.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
    const detail = body?.detail;
    this.code = body?.code ?? (detail && typeof detail === 'object' && !Array.isArray(detail) ? detail.code : undefined);
  }
}

function url(path, query) {
  const target = new URL(API_PREFIX + path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(name, String(value));
  }
  return target;
}

/**
 * Calls the API. `body` is sent as JSON. Answers the parsed JSON (null for an empty answer), or
 * the Response itself with `raw: true`. Refusals throw ApiError; plainWords() explains them.
 * `ended` is what the sign-in page says if this call finds the session over.
 */
export async function api(method, path, { body, query, raw = false, ended = SESSION_ENDED } = {}) {
  const token = getToken();
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (token && response.status === 401) {
    endSession(ended);
    throw new ApiError(401, { detail: 'Unauthorized' });
  }
  // docs/API.md §5: any request that authenticates keeps the session alive, even when refused.
  if (token) markActivity();
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    throw new ApiError(response.status, parsed, response.headers.get('Retry-After'));
  }
  if (raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const PLAIN = {
  INVALID_CREDENTIALS: 'Invalid credentials. Check the username or email and the password.',
  LOGIN_BAD_CREDENTIALS: 'Invalid credentials. Check the username or email and the password.',
  REGISTER_USER_ALREADY_EXISTS: 'That username or email address is already taken.',
  USER_ALREADY_EXISTS: 'That username or email address already belongs to another account.',
  RESET_PASSWORD_BAD_TOKEN:
    'This reset link can no longer be used: it has expired, was used already, or a newer one was sent. Ask for a new link.',
  VERIFY_USER_BAD_TOKEN: 'This verification link can no longer be used: it has expired or was used already.',
  VERIFY_USER_ALREADY_VERIFIED: 'This email address is already verified.',
  LAST_SUPERUSER: 'Operation would leave no active superuser. Make another user a superuser first.',
  TRUSTED_DOMAIN_EXISTS: 'Trusted domain already exists.',
  ADMIN_REQUIRED: 'Admin access required: your account is no longer a superuser.',
  INVALID_CURRENT_PASSWORD: 'Invalid current password: the password you use now was not right.',
};

function fieldName(loc) {
  const last = Array.isArray(loc) ? loc[loc.length - 1] : undefined;
  return typeof last === 'string' ? last.replace(/_/g, ' ') : 'request';
}

/** An API refusal in plain words, for a role="alert" element. */
export function plainWords(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong in the console. Reload the page and try again.';
  const { status, body } = error;
  const detail = body?.detail;
  if (status === 0) return 'Gatehouse cannot be reached. Check the connection and try again.';
  if (status === 429) {
    const wait = Number(error.retryAfter);
    return `Too many attempts. Try again ${wait > 0 ? `in ${wait} second${wait === 1 ? '' : 's'}` : 'in a minute'}.`;
  }
  if (PLAIN[error.code]) return PLAIN[error.code];
  if (typeof detail === 'string' && PLAIN[detail]) return PLAIN[detail];
  if (Array.isArray(detail)) {
    const problems = detail.map((item) => `${fieldName(item.loc)}: ${item.msg}`);
    return `Please check ${problems.join('; ')}.`;
  }
  if (detail && typeof detail === 'object' && typeof detail.reason === 'string') return detail.reason;
  if (status >= 500) {
    const id = body?.request_id ? ` (request ${body.request_id})` : '';
    const retry = status === 503 ? ' Try again in a moment.' : '';
    return `${typeof detail === 'string' ? detail : 'The server could not do this'}${id}.${retry}`;
  }
  if (status === 404 && detail === 'Not Found') return 'This server does not offer that yet (Not Found).';
  if (typeof detail === 'string') return detail;
  return `The request was refused (HTTP ${status}).`;
}
