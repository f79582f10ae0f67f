/** Errors that mean "the database cannot be reached right now" rather than "this query is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300|53400)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection is not established',
  'the database system is',
  'is not currently accepting connections',
  'Connection terminated unexpectedly',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
    current = (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

/** PostgreSQL unique_violation, however TypeORM wrapped it. */
export function isUniqueViolation(error: unknown): boolean {
  const driver = (error as { driverError?: { code?: string } })?.driverError ?? (error as { code?: string });
  return driver?.code === '23505';
}

/** PostgreSQL foreign_key_violation, however TypeORM wrapped it: e.g. a row whose parent was just deleted. */
export function isForeignKeyViolation(error: unknown): boolean {
  const driver = (error as { driverError?: { code?: string } })?.driverError ?? (error as { code?: string });
  return driver?.code === '23503';
}

/** SQLSTATE class 22 (data exception): a value PostgreSQL cannot take, such as a NUL byte or a bad date. */
export function isInvalidInputForDatabase(error: unknown): boolean {
  const driver = (error as { driverError?: { code?: string } })?.driverError ?? (error as { code?: string });
  return typeof driver?.code === 'string' && driver.code.startsWith('22');
}
