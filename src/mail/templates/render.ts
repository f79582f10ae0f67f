import { DigestRegistration, MailRequest, RenderedMail } from '../mail.types';
import { Block, layout, oneLine } from './layout';

export interface RenderContext {
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  /** ADMIN_DIGEST_MINUTES, named in the digest's footer. */
  digestMinutes: number;
  /** The time the mail is written (for notices that say when something happened). */
  now: Date;
}

/** `2025-03-01 14:05 UTC`: one unambiguous form for every reader. */
export function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** 3600 → `1 hour`, 86400 → `24 hours`, 1800 → `30 minutes`. */
export function formatDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds >= 60) return plural(Math.round(seconds / 60), 'minute');
  return plural(Math.max(1, Math.round(seconds)), 'second');
}

const p = (text: string): Block => ({ type: 'paragraph', text });
const small = (text: string): Block => ({ type: 'small', text });
const action = (label: string, url: string): Block => ({ type: 'action', label, url });

function pageUrl(ctx: RenderContext, page: string, token?: string): string {
  return `${ctx.publicUrl}/console/${page}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}

function signature(ctx: RenderContext, why: string): string {
  return `Gatehouse\n${pageUrl(ctx, '')}\n\n${why}`;
}

function digestEntry(registration: DigestRegistration): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Username', oneLine(registration.username, 150)],
    ['Email', oneLine(registration.email)],
  ];
  const institution = oneLine(registration.institution);
  const note = oneLine(registration.note, 500);
  if (institution !== '') rows.push(['Institution', institution]);
  if (note !== '') rows.push(['Note', note]);
  rows.push(['Waiting since', formatTime(registration.waitingSince)]);
  return rows;
}

/** Subject and blocks of each kind; the account mails share greeting and signature. */
function accountMail(mail: Exclude<MailRequest, { kind: 'admin_digest' }>, ctx: RenderContext): [string, Block[]] {
  const username = `"${oneLine(mail.username, 150)}"`;
  const signIn = action('Sign in', pageUrl(ctx, ''));
  switch (mail.kind) {
    case 'registration_received':
      return [
        'We received your Gatehouse registration',
        [
          p('Thank you for registering. Your account has been created and is now waiting for an administrator to approve it.'),
          p(
            'What happens next: an administrator reviews your registration, and you will get another email as soon as ' +
              'they have decided. Until then you cannot sign in, and there is nothing else you need to do.',
          ),
          {
            type: 'facts',
            rows: [
              ['Username', oneLine(mail.username, 150)],
              ['Email', oneLine(mail.to)],
            ],
          },
          small(
            'If you did not register, you can ignore this email: the account stays unusable unless an administrator approves it.',
          ),
        ],
      ];
    case 'account_approved':
      return [
        'Your Gatehouse account is approved',
        [
          p('Good news: your registration has been approved, and your account is ready to use.'),
          p(`Sign in with your username ${username} or your email address, and the password you chose when you registered.`),
          signIn,
        ],
      ];
    case 'account_rejected': {
      const reason = (mail.reason ?? '').trim();
      return [
        'Your Gatehouse registration was not approved',
        [
          p(
            'An administrator has reviewed your registration and, we are sorry to say, did not approve it. You cannot sign in with this account.',
          ),
          ...(reason !== ''
            ? [p('The administrator gave this reason:'), { type: 'quote', text: reason } as Block]
            : [p('No reason was given.')]),
          p(
            'If you think this is a mistake, please contact the people who run this service, for example through your institution.',
          ),
        ],
      ];
    }
    case 'password_changed':
      return [
        'Your Gatehouse password was changed',
        [
          p(`The password of your account ${username} was changed on ${formatTime(mail.at ?? ctx.now)}.`),
          p('If you made this change, there is nothing else to do.'),
          p(
            'If you did not, someone else may have access to your account: reset your password from the sign-in page ' +
              'at once, and tell an administrator.',
          ),
          signIn,
        ],
      ];
    case 'password_reset':
      return [
        'Your Gatehouse password was reset',
        [
          p(
            `The password of your account ${username} was reset with a reset link on ${formatTime(mail.at ?? ctx.now)}. ` +
              'For your safety, every session of the account was signed out.',
          ),
          p('If you did this, sign in with your new password; there is nothing else to do.'),
          p('If you did not, someone else can read your email or has reached your account: tell an administrator at once.'),
          signIn,
        ],
      ];
    case 'reset_password_link':
      return [
        'Reset your Gatehouse password',
        [
          p(
            `Someone, hopefully you, asked to reset the password of your account ${username}. To choose a new ` +
              `password, open this link within ${formatDuration(mail.validForSeconds)}. It works only once.`,
          ),
          action('Choose a new password', pageUrl(ctx, 'reset-password', mail.token)),
          small(
            'If you did not ask for this, ignore this email: your password stays as it is. Never share this link; nobody will ever ask you for it.',
          ),
        ],
      ];
    case 'verify_email_link':
      return [
        'Confirm your email address for Gatehouse',
        [
          p(
            `Please confirm that this address belongs to you by opening this link within ${formatDuration(mail.validForSeconds)}.`,
          ),
          action('Confirm my address', pageUrl(ctx, 'verify', mail.token)),
          p(
            'Once your address is confirmed, your registration goes to the administrators for approval (registrations ' +
              'from some institutions are approved at once), and we will email you the decision.',
          ),
          small('If you did not register, ignore this email; nothing happens without the confirmation.'),
        ],
      ];
  }
}

function digestMail(mail: Extract<MailRequest, { kind: 'admin_digest' }>, ctx: RenderContext): RenderedMail {
  const count = mail.registrations.length + (mail.more ?? 0);
  const interval = ctx.digestMinutes === 1 ? 'minute' : `${ctx.digestMinutes} minutes`;
  return layout(
    count === 1
      ? 'Gatehouse: 1 registration is waiting for approval'
      : `Gatehouse: ${count} registrations are waiting for approval`,
    `Hello ${oneLine(mail.username, 150)},`,
    [
      p(
        count === 1
          ? 'A new registration is waiting for your decision:'
          : `${count} new registrations are waiting for your decision:`,
      ),
      { type: 'entries', entries: mail.registrations.map(digestEntry) },
      ...(mail.more ? [p(`…and ${mail.more} more.`)] : []),
      action('Open the approvals', pageUrl(ctx, '')),
    ],
    signature(
      ctx,
      `You receive this email because you are a Gatehouse superuser. It is sent at most once every ${interval}, when new registrations arrive.`,
    ),
  );
}

/** Subject, plain text and HTML of one mail (docs/API.md §13 Mail). */
export function renderMail(mail: MailRequest, ctx: RenderContext): RenderedMail {
  if (mail.kind === 'admin_digest') return digestMail(mail, ctx);
  const [subject, blocks] = accountMail(mail, ctx);
  return layout(
    subject,
    `Hello ${oneLine(mail.username, 150)},`,
    blocks,
    signature(ctx, `You receive this email because it is the address of the Gatehouse account "${oneLine(mail.username, 150)}".`),
  );
}
