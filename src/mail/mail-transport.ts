import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { InlineFs } from '../common/fs/inline-fs';
import { AppConfig } from '../config/app-config';

/** Deliveries one instance runs at once (the worker's concurrency), and so its SMTP connections at most. */
export const DELIVERY_CONCURRENCY = 4;

/**
 * How long a pooled SMTP connection may stay idle before it is closed with QUIT: below the socket
 * timeout, so an idle connection is closed by us rather than timed out.
 */
const SMTP_IDLE_MS = 20_000;

/** Where mails go as `.eml` files when SMTP_URL is unset (docs/API.md §13 Mail). */
export function emlOutboxDir(config: AppConfig): string {
  return path.join(config.dataDir, 'outbox');
}

export interface OutgoingMessage {
  id: string;
  messageId: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  createdAt: Date;
}

/** `host:port` of the SMTP server, for the log: never the user or password. */
function describeSmtp(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587')}`;
}

/**
 * nodemailer over SMTP (SMTP_URL), or, without SMTP_URL, each mail as an RFC 5322 file in
 * DATA_DIR/outbox/ built by the same nodemailer composer, with the same headers. A file is named
 * after the outbox row and written whole (temporary file, then rename), so a mail sent twice
 * leaves one file. The file is written with synchronous calls while DATA_DIR is fast (see
 * InlineFs).
 *
 * SMTP connections are pooled (nodemailer's pool, at most one per delivery running at once): a
 * burst of mails shares a few connections instead of opening one, with its greeting, EHLO and
 * STARTTLS, per mail (bench/PROFILE.md: 40–60 % of the CPU a mail cost the client). A connection
 * is closed after SMTP_IDLE_MS idle or 100 mails, and all of them when the app closes (after the
 * worker has finished the mails in progress). A connection that fails fails only the mail it
 * carries, which the worker retries; the next mail opens a new one.
 */
@Injectable()
export class MailTransport implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('mail');
  private readonly transporter: Transporter;
  /** DATA_DIR/outbox with the `.eml` transport; undefined with SMTP. */
  readonly outboxDir: string | undefined;
  /** Synchronous calls on a local disk, the thread pool on a slow one (see InlineFs). */
  private readonly files = new InlineFs((ms) =>
    this.logger.warn(`DATA_DIR is slow (a call took ${ms.toFixed(1)} ms): mails are written through the thread pool from now on`),
  );

  constructor(private readonly config: AppConfig) {
    // No attachments from files or URLs, whatever a message says.
    const safety = { disableFileAccess: true, disableUrlAccess: true };
    if (config.smtpUrl) {
      this.outboxDir = undefined;
      this.transporter = createTransport({
        url: config.smtpUrl,
        pool: true,
        maxConnections: DELIVERY_CONCURRENCY,
        maxMessages: 100,
        idleTimeout: SMTP_IDLE_MS,
        // A connection lost mid-mail fails that mail at once: the worker retries it with its
        // backoff and records why, instead of the pool resending it in the background.
        maxRequeues: 0,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
        ...safety,
      });
    } else {
      this.outboxDir = emlOutboxDir(config);
      this.transporter = createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...safety });
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.outboxDir) {
      await fs.mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
      await fs.chmod(this.outboxDir, 0o700);
      this.logger.log(`SMTP_URL is not set: mails are written as .eml files to ${this.outboxDir}`);
    } else {
      this.logger.log(`mails are sent through the SMTP server at ${describeSmtp(this.config.smtpUrl!)}`);
    }
  }

  /** Closes the pooled SMTP connections; runs after every module's destroy hook, so after the worker stopped. */
  onApplicationShutdown(): void {
    this.transporter.close();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const info = (await this.transporter.sendMail({
      from: this.config.mailFrom,
      to: message.recipient,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      date: message.createdAt,
      // RFC 3834: no vacation replies to a machine's mail.
      headers: { 'Auto-Submitted': 'auto-generated' },
    })) as { message?: Buffer };
    if (this.outboxDir) await this.writeFile(message, info.message!);
  }

  /** Written under a temporary name, then renamed: a reader never sees half a mail. */
  private async writeFile(message: OutgoingMessage, content: Buffer): Promise<void> {
    const dir = this.outboxDir!;
    const stamp = message.createdAt
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const target = path.join(dir, `${stamp}-${message.id}.eml`);
    const temporary = path.join(dir, `.${message.id}.${randomBytes(4).toString('hex')}.tmp`);
    const write = () => this.files.writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    try {
      await write().catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        // Made again if someone removed it since the start.
        await this.files.mkdir(dir, { recursive: true, mode: 0o700 });
        await write();
      });
      await this.files.rename(temporary, target);
    } catch (error) {
      await this.files.rm(temporary, { force: true });
      throw error;
    }
  }
}
