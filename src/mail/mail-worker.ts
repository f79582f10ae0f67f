import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Logger as QueueLogger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { MailDelivery, TaskJob } from './mail-delivery';
import { DELIVERY_CONCURRENCY } from './mail-transport';

export type { TaskJob } from './mail-delivery';

/** A task another module registers at init (e.g. the superusers' digest); its payload is what `schedule` was given. */
export type TaskHandler = (payload: unknown, job: TaskJob) => Promise<void>;

/** The task that delivers one outbox row. */
export const SEND_MAIL_TASK = 'mail:send';

/** Jobs run at once by one instance; each uses at most one of the transport's pooled SMTP connections. */
const CONCURRENCY = DELIVERY_CONCURRENCY;

/**
 * How the runner takes and completes jobs, tuned for bursts of registrations (bench/PROFILE.md:
 * it halved the mail's share of PostgreSQL's work per registration):
 * - The pool fetches up to `CONCURRENCY + 1` jobs in one query (a local queue) instead of one
 *   query per job. After a fetch that did not fill it, it waits 50–150 ms before the next one,
 *   whatever new-job notifications arrive meanwhile, so a burst is taken in a few fetches rather
 *   than one fetch per notification. A mail waits at most that much longer; an idle worker still
 *   fetches as soon as a job is added. On shutdown the queued jobs are given back; after a crash
 *   they, like the jobs in progress, wait for graphile-worker's stale-lock timeout.
 * - Completions made within 10 ms are written by one statement. Completion and failure are
 *   always batched: a batch that cannot reach the database is retried with backoff for minutes
 *   and, if it still fails, stops the runner, which `start` restarts. Unbatched, graphile-worker
 *   0.18 leaves that write's failure unhandled, and an unhandled rejection ends a Node process.
 *   A job whose completion is lost runs again and finds its mail no longer pending.
 */
const QUEUE_SETTINGS = {
  localQueue: {
    size: CONCURRENCY + 1,
    refetchDelay: { durationMs: 100, threshold: CONCURRENCY, maxAbortThreshold: Infinity },
  },
  completeJobBatchDelay: 10,
  failJobBatchDelay: 0,
};

/** After the runner stopped on a database fault, the wait before a new one starts. */
const RESTART_DELAY_MS = 5000;

type LineLogger = Pick<Logger, 'error' | 'warn' | 'debug'>;

/** graphile-worker's log lines in ours: one line each (no stacks), a retried attempt as a warning. */
function queueLogger(logger: LineLogger): QueueLogger {
  return new QueueLogger(() => (level, message, meta) => {
    const line = message.split('\n')[0];
    if (meta?.failure || level === 'warning') logger.warn(line);
    else if (level === 'error') logger.error(line);
    else logger.debug(line);
  });
}

/**
 * Installs or upgrades the job queue's schema (`graphile_worker`); safe when several run at once.
 * Given a URL, on a pool of its own that it closes.
 */
export async function migrateMailQueue(connection: Pool | string, logger: LineLogger): Promise<void> {
  const target = typeof connection === 'string' ? { connectionString: connection } : { pgPool: connection };
  await runMigrations({ ...target, logger: queueLogger(logger) });
}

/**
 * The job runner (graphile-worker 0.18) on a small pool of its own. Every context that loads the
 * mail module installs or upgrades the queue's schema (`graphile_worker`) at init, so enqueueing
 * works from the CLI too; graphile-worker's migrations are safe when several instances start at
 * once (each step is claimed by inserting its number first; the losers skip it). Only the HTTP
 * service calls `start()`: the runner takes jobs with SKIP LOCKED, so any number of instances
 * share the work. `stop()` (also on shutdown) waits for the jobs in progress.
 */
@Injectable()
export class MailWorker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('mail-worker');
  private readonly tasks: TaskList = {};
  private pool: Pool | undefined;
  private runner: Runner | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    delivery: MailDelivery,
  ) {
    this.registerTask(SEND_MAIL_TASK, (payload, job) => delivery.deliver(payload, job));
  }

  /**
   * Adds a task before the runner starts (from another module's `onModuleInit`). Jobs of the
   * task are added with `MailService.schedule`. A handler that throws is retried with backoff.
   */
  registerTask(name: string, handler: TaskHandler): void {
    if (this.runner) throw new Error(`task ${name} registered after the mail worker started`);
    if (this.tasks[name]) throw new Error(`task ${name} is already registered`);
    this.tasks[name] = (payload, helpers) =>
      handler(payload, { id: helpers.job.id, attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
  }

  async onModuleInit(): Promise<void> {
    this.pool = new Pool({
      connectionString: this.config.databaseUrl,
      // The runner's LISTEN connection, the jobs' bookkeeping, and a spare.
      max: CONCURRENCY + 2,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 'gatehouse-mail',
    });
    // A connection that drops (database restarted) is replaced; it must not crash the process.
    const lost = (error: Error) => this.logger.warn(`mail queue connection lost: ${error.message}`);
    this.pool.on('error', lost);
    this.pool.on('connect', (client) => client.on('error', lost));
    await migrateMailQueue(this.pool, this.logger);
  }

  /** Starts taking jobs (the HTTP service does, the CLI does not). */
  async start(): Promise<void> {
    if (this.runner || !this.pool) return;
    this.stopping = false;
    const runner = await run({
      pgPool: this.pool,
      taskList: this.tasks,
      concurrency: CONCURRENCY,
      // The service's own SIGTERM handling closes the app, which stops the runner.
      noHandleSignals: true,
      // Due jobs (retries, scheduled tasks) are found by polling; new ones arrive by NOTIFY at once.
      pollInterval: 2000,
      logger: queueLogger(this.logger),
      preset: { worker: QUEUE_SETTINGS },
    });
    this.runner = runner;
    runner.promise.catch((error: Error) => {
      if (this.runner !== runner || this.stopping) return;
      this.runner = undefined;
      this.logger.error(`mail worker stopped: ${error.message}; restarting in ${RESTART_DELAY_MS / 1000} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.start().catch((cause: Error) => this.logger.error(`mail worker did not restart: ${cause.message}`));
      }, RESTART_DELAY_MS);
      this.restartTimer.unref();
    });
    this.logger.log(`mail worker started (${CONCURRENCY} at once; tasks: ${Object.keys(this.tasks).join(', ')})`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const runner = this.runner;
    if (!runner) return;
    this.runner = undefined;
    await runner.stop().catch((error: Error) => this.logger.warn(`mail worker stop: ${error.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    await this.pool?.end();
    this.pool = undefined;
  }
}
