import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { runPrepared, type PreparedStatement } from '../database/prepared';
import type { MailOutbox } from './mail-outbox.entity';
import { MailTransport } from './mail-transport';
import { KINDS_WITH_TOKENS } from './mail.types';
import { describeFailure } from './redact';

/** The job queue's view of the attempt in progress. */
export interface TaskJob {
  id: string;
  /** Counts the attempt in progress: 1 on the first run, `maxAttempts` on the last. */
  attempts: number;
  maxAttempts: number;
}

/** A retry the job queue records: the message is already fit for its table and the log. */
class DeliveryFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryFailed';
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Clears the body of a mail that holds a token once it has left (docs/API.md §9: tokens are
 * kept only hashed); `$n` is the parameter holding KINDS_WITH_TOKENS.
 */
const clearTokenBodies = (n: number) => `text_body = CASE WHEN kind = ANY($${n}::text[]) THEN NULL ELSE text_body END,
  html_body = CASE WHEN kind = ANY($${n}::text[]) THEN NULL ELSE html_body END`;

/** The row a job delivers, as the transport needs it (every delivery: a prepared statement). */
const OUTBOX_ROW: PreparedStatement = {
  name: 'gatehouse_mail_row',
  text: `SELECT id, kind, recipient, subject, text_body AS "textBody", html_body AS "htmlBody", message_id AS "messageId",
                status, created_at AS "createdAt"
           FROM mail_outbox WHERE id = $1`,
};

type OutboxRow = Pick<
  MailOutbox,
  'id' | 'kind' | 'recipient' | 'subject' | 'textBody' | 'htmlBody' | 'messageId' | 'status' | 'createdAt'
>;

/** A delivered mail: `sent`, and its body cleared when it held a token. */
const MARK_SENT: PreparedStatement = {
  name: 'gatehouse_mail_sent',
  text: `UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = now(), ${clearTokenBodies(2)}
          WHERE id = $1 AND status = 'pending'`,
};

/** Rows an UPDATE … RETURNING changed, from either shape TypeORM gives. */
const changedRows = (result: unknown): number =>
  Array.isArray(result) && Array.isArray(result[0]) ? result[0].length : Array.isArray(result) ? result.length : 0;

/**
 * One delivery attempt of one outbox row (the `mail:send` task). A row that is no longer pending
 * is left alone, so a job run again after its mail went out does nothing; the window between
 * the transport's acceptance and the `sent` update is where a crash makes a second delivery,
 * with the same Message-ID (at least once, docs/API.md §13 Mail).
 */
@Injectable()
export class MailDelivery {
  private readonly logger = new Logger('mail');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    private readonly audit: AuditService,
  ) {}

  async deliver(payload: unknown, job: TaskJob): Promise<void> {
    const id = (payload as { outbox_id?: unknown } | null)?.outbox_id;
    if (typeof id !== 'string') {
      this.logger.error(`mail job ${job.id} has no outbox id; dropped`);
      return;
    }
    const [row] = await runPrepared<OutboxRow>(this.dataSource, OUTBOX_ROW, [id]);
    if (!row || row.status !== 'pending') return;
    const tokenKinds = [...KINDS_WITH_TOKENS];
    try {
      await this.transport.send({
        id: row.id,
        messageId: row.messageId,
        recipient: row.recipient,
        subject: row.subject,
        text: row.textBody ?? '',
        html: row.htmlBody ?? '',
        createdAt: row.createdAt,
      });
    } catch (error) {
      const message = describeFailure(error, `${row.subject}\n${row.textBody ?? ''}\n${row.htmlBody ?? ''}`);
      if (job.attempts < job.maxAttempts) {
        await this.dataSource.query(
          `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 AND status = 'pending'`,
          [row.id, message],
        );
        throw new DeliveryFailed(message);
      }
      await this.giveUp(row, message, job, tokenKinds);
      return;
    }
    await runPrepared(this.dataSource, MARK_SENT, [row.id, tokenKinds]);
  }

  /** After the last attempt: failed, audited as `mail_failed` (docs/API.md §12), and an error line. */
  private async giveUp(row: OutboxRow, message: string, job: TaskJob, tokenKinds: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const updated: unknown = await manager.query(
        `UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, failed_at = now(), ${clearTokenBodies(3)}
         WHERE id = $1 AND status = 'pending' RETURNING id`,
        [row.id, message, tokenKinds],
      );
      if (changedRows(updated) === 0) return;
      await this.audit.record(manager, { eventType: 'mail_failed', details: { kind: row.kind, message_id: row.messageId } });
    });
    this.logger.error({
      msg: 'mail given up after its last attempt',
      outbox_id: row.id,
      kind: row.kind,
      message_id: row.messageId,
      attempts: job.attempts,
      error: message,
    });
  }
}
