import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { MailWorker } from '../mail/mail-worker';
import { MailService } from '../mail/mail.service';
import { AccountTokensService } from './account-tokens.service';
import { emailKey } from './identity';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

const DIGEST_TASK = 'users:admin-digest';
const DIGEST_KEY = 'admin-digest';
const RESET_REQUEST_TASK = 'users:reset-request';
const VERIFY_REQUEST_TASK = 'users:verify-request';
/** The first digest after a quiet period waits this long, so that a burst of sign-ups makes one mail. */
const DIGEST_FIRST_DELAY_MS = 30_000;
/**
 * A registration relies on a waiting digest job only when that job runs at least this long after
 * the registration's last statement (its commit follows in milliseconds).
 */
const DIGEST_KNOWN_MARGIN_MS = 10_000;
/** How long a forgot-password or verification request waits before its job looks the address up. */
const REQUEST_DELAY_MS = 1_000;
/** A digest lists at most this many registrations (and how many more wait). */
const DIGEST_LIMIT = 50;

/**
 * The mails an account's life sends (docs/API.md §13 Mail), each queued in the transaction of the
 * change it reports, and the background tasks that need the users table: the superusers' digest,
 * and the answers to forgot-password and request-verify-token — done after the request returns,
 * so that an unknown address and a known one cost the request the same (one queued job).
 */
@Injectable()
export class UserMailService implements OnModuleInit {
  private readonly logger = new Logger('UserMail');
  /** When the digest job this process last scheduled runs (ms since the epoch); 0 when unknown. */
  private digestWaitsUntil = 0;

  constructor(
    private readonly mail: MailService,
    private readonly worker: MailWorker,
    private readonly users: UsersRepository,
    private readonly tokens: AccountTokensService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.worker.registerTask(DIGEST_TASK, () => this.sendDigest());
    this.worker.registerTask(RESET_REQUEST_TASK, (payload) => this.answerResetRequest(payload as RequestPayload));
    this.worker.registerTask(VERIFY_REQUEST_TASK, (payload) => this.answerVerifyRequest(payload as RequestPayload));
  }

  /** A self-registration: "received", a verification link when required, and the superusers' digest. */
  async registered(manager: EntityManager, user: User): Promise<void> {
    if (user.approvalStatus !== 'pending') return;
    await this.mail.enqueue(manager, { kind: 'registration_received', to: user.email, username: user.username });
    if (!user.isVerified) await this.sendVerifyLink(manager, user);
    if (this.config.adminDigestMinutes > 0) await this.scheduleDigest(manager);
  }

  /**
   * A registration's transaction failed after `registered`: the digest it may have scheduled was
   * rolled back with it, so the next registration schedules one again.
   */
  registrationRolledBack(): void {
    this.digestWaitsUntil = 0;
  }

  /**
   * Makes sure a digest will list this registration. While a digest job that this process
   * scheduled is known to wait, comfortably after this transaction commits, there is nothing to
   * do: that job lists every pending registration not yet listed. Otherwise the job is upserted
   * (`preserve_run_at`: a waiting job keeps its time), which locks its row until the commit, so
   * that a burst of registrations would otherwise queue on that row one after another.
   */
  private async scheduleDigest(manager: EntityManager): Promise<void> {
    const now = this.clock.now().getTime();
    if (now + DIGEST_KNOWN_MARGIN_MS < this.digestWaitsUntil) return;
    const runAt = await this.mail.schedule(
      manager,
      DIGEST_TASK,
      {},
      { jobKey: DIGEST_KEY, jobKeyMode: 'preserve_run_at', runAt: new Date(now + DIGEST_FIRST_DELAY_MS) },
    );
    this.digestWaitsUntil = runAt.getTime();
  }

  approved(manager: EntityManager, user: User): Promise<unknown> {
    return this.mail.enqueue(manager, { kind: 'account_approved', to: user.email, username: user.username });
  }

  rejected(manager: EntityManager, user: User, reason: string | null): Promise<unknown> {
    return this.mail.enqueue(manager, { kind: 'account_rejected', to: user.email, username: user.username, reason });
  }

  passwordChanged(manager: EntityManager, user: User): Promise<unknown> {
    return this.mail.enqueue(manager, {
      kind: 'password_changed',
      to: user.email,
      username: user.username,
      at: this.clock.now(),
    });
  }

  passwordReset(manager: EntityManager, user: User): Promise<unknown> {
    return this.mail.enqueue(manager, { kind: 'password_reset', to: user.email, username: user.username, at: this.clock.now() });
  }

  /** POST /forgot-password: one queued job whatever the address; the job decides. */
  requestReset(email: string, context: RequestContext): Promise<void> {
    return this.scheduleRequest(RESET_REQUEST_TASK, email, context);
  }

  /** POST /request-verify-token: one queued job whatever the address; the job decides. */
  requestVerification(email: string, context: RequestContext): Promise<void> {
    return this.scheduleRequest(VERIFY_REQUEST_TASK, email, context);
  }

  /**
   * The job runs a moment later, never while its own request is being answered: the work for a
   * known address (a token, a mail) must not lengthen that answer, or the time would tell.
   */
  private async scheduleRequest(task: string, email: string, context: RequestContext): Promise<void> {
    const runAt = new Date(this.clock.now().getTime() + REQUEST_DELAY_MS);
    await this.mail.schedule(null, task, { email, ip: context.ip, user_agent: context.userAgent }, { runAt });
  }

  private async sendVerifyLink(manager: EntityManager, user: User): Promise<void> {
    const token = await this.tokens.issue(manager, user, 'verify');
    await this.mail.enqueue(manager, {
      kind: 'verify_email_link',
      to: user.email,
      username: user.username,
      token,
      validForSeconds: this.config.verifyTokenTtlSeconds,
    });
  }

  /** A reset link goes only to an existing active account, and at most once a minute. */
  private async answerResetRequest(payload: RequestPayload): Promise<void> {
    const user = await this.userByEmail(payload.email);
    if (!user || !user.isActive || (await this.tokens.recentlyIssued(user.id, 'reset'))) return;
    await this.users.transaction(async (manager) => {
      const token = await this.tokens.issue(manager, user, 'reset');
      await this.mail.enqueue(manager, {
        kind: 'reset_password_link',
        to: user.email,
        username: user.username,
        token,
        validForSeconds: this.config.resetTokenTtlSeconds,
      });
      const party = { id: user.id, username: user.username };
      await this.audit.record(manager, {
        eventType: 'password_reset_requested',
        actor: null,
        target: party,
        ip: payload.ip ?? null,
        userAgent: payload.user_agent ?? null,
      });
    });
  }

  /** A verification link goes only to an unverified, not rejected account while verification is required. */
  private async answerVerifyRequest(payload: RequestPayload): Promise<void> {
    if (this.config.emailVerification !== 'required') return;
    const user = await this.userByEmail(payload.email);
    if (!user || user.isVerified || user.approvalStatus === 'rejected') return;
    if (await this.tokens.recentlyIssued(user.id, 'verify')) return;
    await this.users.transaction((manager) => this.sendVerifyLink(manager, user));
  }

  private async userByEmail(email: string): Promise<User | null> {
    const key = emailKey(email);
    return key ? this.users.findByLoginKeys({ username: key, email: key }) : null;
  }

  /** One mail per active superuser listing the registrations no digest has listed yet, at most once per interval. */
  private async sendDigest(): Promise<void> {
    this.digestWaitsUntil = 0;
    const last = await this.mail.lastEnqueuedAt(null, 'admin_digest');
    const due = last ? last.getTime() + this.config.adminDigestMinutes * 60_000 : 0;
    if (due > this.clock.now().getTime()) {
      await this.mail.schedule(null, DIGEST_TASK, {}, { jobKey: DIGEST_KEY, jobKeyMode: 'replace', runAt: new Date(due) });
      return;
    }
    const left = await this.users.transaction(async (manager) => {
      const { users: fresh, more } = await this.users.pendingNotInDigest(manager, DIGEST_LIMIT);
      if (fresh.length === 0) return 0;
      const registrations = fresh.map((user) => ({
        username: user.username,
        email: user.email,
        institution: user.institution,
        note: user.approvalNote,
        waitingSince: user.createdAt,
      }));
      const admins = await this.users.activeSuperusers(manager);
      for (const admin of admins) {
        await this.mail.enqueue(manager, {
          kind: 'admin_digest',
          to: admin.email,
          username: admin.username,
          registrations,
          more,
        });
      }
      await this.users.markInDigest(
        manager,
        fresh.map((user) => user.id),
        this.clock.now(),
      );
      this.logger.log(`digest of ${fresh.length} pending registration(s) queued for ${admins.length} superuser(s)`);
      return more;
    });
    if (left > 0) {
      const next = new Date(this.clock.now().getTime() + this.config.adminDigestMinutes * 60_000);
      await this.mail.schedule(null, DIGEST_TASK, {}, { jobKey: DIGEST_KEY, jobKeyMode: 'replace', runAt: next });
    }
  }
}

interface RequestPayload {
  email: string;
  ip?: string | null;
  user_agent?: string | null;
}
