/** One entry of FastAPI's 422 body: {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}. */
export interface ValidationIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** A request whose body (or query) does not fit its schema: 422 for bodies, 400 for queries. */
export class RequestValidationError extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    readonly status = 422,
  ) {
    super(issues.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; '));
    this.name = 'RequestValidationError';
  }
}
