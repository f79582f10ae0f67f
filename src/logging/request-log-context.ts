import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being handled, for every log line written while it is (docs/API.md §1
 * Conventions: log lines carry the request's id). Only the id is kept: a per-request child logger
 * (what pino-http builds) costs a logger and its serialised bindings on every request, for the few
 * lines written during one.
 */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `next` (a Fastify hook's continuation) with `id` as the current request's id. */
export function withRequestId(id: string, next: () => void): void {
  requestIds.run(id, next);
}

/** The current request's id, if a request is being handled. */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}
