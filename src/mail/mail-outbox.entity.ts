import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MailStatus = 'pending' | 'sent' | 'failed';

/**
 * One mail of the outbox (docs/API.md §13 Mail): written in the transaction of the change it
 * reports, delivered after commit by the job queue, then marked sent or failed.
 *
 * The mail is stored rendered (subject, text, HTML), not as data to render: a retry sends
 * exactly what the change described, a template edited while mails wait changes nothing already
 * queued, and the worker needs no knowledge of the kinds. The bodies of mails that carry a link
 * token are cleared once the mail has left (sent or failed), so a token is kept no longer than
 * the delivery needs.
 */
@Entity({ name: 'mail_outbox' })
@Check('CHK_mail_outbox_status', `"status" IN ('pending', 'sent', 'failed')`)
@Index('IDX_mail_outbox_kind_created_at', ['kind', 'createdAt'])
export class MailOutbox {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ type: 'varchar', length: 320 })
  recipient: string;

  @Column({ type: 'text' })
  subject: string;

  /** Null once cleared (a mail with a token, after delivery). */
  @Column({ name: 'text_body', type: 'text', nullable: true })
  textBody: string | null;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  htmlBody: string | null;

  /** `<uuid@PUBLIC_URL host>`, generated at enqueue; every attempt sends the same one. */
  @Index('UQ_mail_outbox_message_id', { unique: true })
  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: MailStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** The last delivery error, with anything from the mail's body taken out. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt: Date | null;
}
