/**
 * A start-up failure the operator can act on (an unusable DATA_DIR, an unreachable database): the
 * service logs its message as one line without a stack and exits 1; the CLI prints it as its error.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    /** The underlying error code (ECONNREFUSED, EACCES, 28P01…), for the log line. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
