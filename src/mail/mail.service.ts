import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { runPrepared, type PreparedStatement } from '../database/prepared';
import { MailKind, MailRequest } from './mail.types';
import { SEND_MAIL_TASK } from './mail-worker';
import { renderMail } from './templates/render';

export interface QueuedMail {
  /** The outbox row's id. */
  id: string;
  /** `<uuid@host>`, the same on every attempt. */
  messageId: string;
}

export interface ScheduleOptions {
  /** When the job may run first (default: now). */
  runAt?: Date;
  /** One job per key: a second `schedule` with the key changes the waiting job instead of adding one. */
  jobKey?: string;
  /**
   * With a `jobKey`: `replace` (default) moves the waiting job to the new `runAt`;
   * `preserve_run_at` keeps the waiting job's time, which makes "at most one run, the first
   * within X of the first request" out of any number of requests.
   */
  jobKeyMode?: 'replace' | 'preserve_run_at';
  /** Attempts before the job is given up (default MAIL_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

/** A mail's outbox row and its delivery job, in one statement (one round trip). */
const ENQUEUE_MAIL: PreparedStatement = {
  name: 'gatehouse_mail_enqueue',
  text: `WITH mail AS (
           INSERT INTO mail_outbox (kind, recipient, subject, text_body, html_body, message_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
         SELECT mail.id FROM mail
          CROSS JOIN LATERAL graphile_worker.add_job($7::text, json_build_object('outbox_id', mail.id), max_attempts => $8::int) job`,
};

/** One address, nothing that could become a second header or a second recipient. */
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/**
 * The mail module's entry point for other modules (docs/API.md §13 Mail). `enqueue` renders a
 * mail and writes it to the outbox together with its delivery job, in the caller's transaction:
 * nothing is sent unless that transaction commits, and a committed mail is delivered after
 * commit by the worker (retries with backoff for about a day, then `failed` and `mail_failed`).
 */
@Injectable()
export class MailService {
  private readonly messageIdHost: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.messageIdHost = new URL(config.publicUrl).hostname || 'gatehouse.local';
  }

  /**
   * Queues one mail in the caller's transaction (`manager` of `dataSource.transaction`); with
   * null, at once. The outbox row and its delivery job are written by one statement, so they
   * exist together or not at all, and cost one round trip.
   */
  async enqueue(manager: EntityManager | null, mail: MailRequest): Promise<QueuedMail> {
    if (!SINGLE_ADDRESS.test(mail.to)) throw new Error(`mail ${mail.kind}: the recipient is not one email address`);
    const rendered = renderMail(mail, {
      publicUrl: this.config.publicUrl,
      digestMinutes: this.config.adminDigestMinutes,
      now: new Date(),
    });
    const messageId = `<${randomUUID()}@${this.messageIdHost}>`;
    const [row] = await runPrepared<{ id: string }>(
      this.dataSource,
      ENQUEUE_MAIL,
      [
        mail.kind,
        mail.to,
        rendered.subject,
        rendered.text,
        rendered.html,
        messageId,
        SEND_MAIL_TASK,
        this.config.mailMaxAttempts,
      ],
      manager,
    );
    return { id: row.id, messageId };
  }

  /**
   * Adds a job of a task registered with `MailWorker.registerTask`, in the caller's transaction
   * when given one (null: at once). Used for the superusers' digest (see src/mail/README.md).
   * Returns when the job will first run: with a `jobKey` and `preserve_run_at`, the waiting job's
   * time, which may be earlier than `runAt`.
   */
  async schedule(
    manager: EntityManager | null,
    task: string,
    payload: Record<string, unknown>,
    options: ScheduleOptions = {},
  ): Promise<Date> {
    return this.addJob(manager ?? this.dataSource.manager, task, payload, options);
  }

  /** When the last mail of a kind was queued (e.g. the last digest), or null. */
  async lastEnqueuedAt(manager: EntityManager | null, kind: MailKind): Promise<Date | null> {
    const [row] = (await (manager ?? this.dataSource.manager).query(
      `SELECT max(created_at) AS at FROM mail_outbox WHERE kind = $1`,
      [kind],
    )) as Array<{ at: Date | null }>;
    return row?.at ?? null;
  }

  private async addJob(
    manager: EntityManager,
    task: string,
    payload: Record<string, unknown>,
    options: ScheduleOptions,
  ): Promise<Date> {
    const [job] = (await manager.query(
      `SELECT run_at FROM graphile_worker.add_job($1::text, $2::json, run_at => $3::timestamptz, max_attempts => $4::int,
         job_key => $5::text, job_key_mode => $6::text)`,
      [
        task,
        JSON.stringify(payload),
        options.runAt ?? null,
        options.maxAttempts ?? this.config.mailMaxAttempts,
        options.jobKey ?? null,
        options.jobKey ? (options.jobKeyMode ?? 'replace') : null,
      ],
    )) as Array<{ run_at: Date }>;
    return job.run_at;
  }
}
