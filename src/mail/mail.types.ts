/**
 * What other modules hand to `MailService.enqueue`: the kind of mail, its one recipient, and the
 * facts it reports. Rendering (subject, plain text, HTML, links under PUBLIC_URL) is the mail
 * module's job (docs/API.md §13 Mail).
 */

/** One pending registration as the superusers' digest lists it. */
export interface DigestRegistration {
  username: string;
  email: string;
  institution?: string | null;
  note?: string | null;
  /** When the registration was made (the user's `created_at`). */
  waitingSince: Date;
}

interface MailTo {
  /** One address: the account's email. */
  to: string;
  /** The account's username, for the greeting. */
  username: string;
}

export type MailRequest =
  /** Self-registration received; the account waits for a superuser's decision. */
  | (MailTo & { kind: 'registration_received' })
  /** Approved (by a superuser, in bulk, or automatically): a sign-in link. */
  | (MailTo & { kind: 'account_approved' })
  /** Rejected by a superuser, with the reason when one was given. */
  | (MailTo & { kind: 'account_rejected'; reason?: string | null })
  /** Security notice: the password was changed by its owner (or by an operator). */
  | (MailTo & { kind: 'password_changed'; at?: Date })
  /** Security notice: the password was reset through a mailed link; every session ended. */
  | (MailTo & { kind: 'password_reset'; at?: Date })
  /** The reset link; `token` appears only in this mail's body. */
  | (MailTo & { kind: 'reset_password_link'; token: string; validForSeconds: number })
  /** The verification link; `token` appears only in this mail's body. */
  | (MailTo & { kind: 'verify_email_link'; token: string; validForSeconds: number })
  /** New pending registrations, to one superuser (`to` is that superuser alone). */
  | (MailTo & { kind: 'admin_digest'; registrations: DigestRegistration[]; more?: number });

export type MailKind = MailRequest['kind'];

/** The kinds whose body holds a token: their bodies are cleared from the outbox once delivered or given up. */
export const KINDS_WITH_TOKENS: ReadonlySet<string> = new Set<MailKind>(['reset_password_link', 'verify_email_link']);

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
