import { MailKind, MailRequest } from '../mail.types';
import { formatDuration, renderMail } from './render';

/** docs/API.md §13 Mail: every mail in plain text and HTML, links under PUBLIC_URL, nothing of a user's input as markup. */
const ctx = { publicUrl: 'https://gate.example.org/base', digestMinutes: 15, now: new Date('2025-03-01T14:05:09Z') };
const HOSTILE = `<script>alert("x")</script>&'`;
const TOKEN = 'tok_ABCdef-123_456~789';

const base = { to: 'ada@example.org', username: HOSTILE };
const BOB = {
  username: 'bob',
  email: 'bob@example.org',
  institution: null,
  note: undefined,
  waitingSince: new Date('2025-03-01T10:30:00Z'),
};
const EVERY_KIND: Record<MailKind, MailRequest> = {
  registration_received: { ...base, kind: 'registration_received' },
  account_approved: { ...base, kind: 'account_approved' },
  account_rejected: { ...base, kind: 'account_rejected', reason: `Not a researcher ${HOSTILE}\nSecond line` },
  password_changed: { ...base, kind: 'password_changed' },
  password_reset: { ...base, kind: 'password_reset' },
  reset_password_link: { ...base, kind: 'reset_password_link', token: TOKEN, validForSeconds: 3600 },
  verify_email_link: { ...base, kind: 'verify_email_link', token: TOKEN, validForSeconds: 86400 },
  admin_digest: {
    ...base,
    kind: 'admin_digest',
    registrations: [
      {
        username: HOSTILE,
        email: 'eve@example.org',
        institution: `Uni ${HOSTILE}`,
        note: 'line one\nline two',
        waitingSince: new Date('2025-03-01T09:00:00Z'),
      },
      BOB,
    ],
  },
};

const LINKS: Record<MailKind, string> = {
  registration_received: '',
  account_approved: 'https://gate.example.org/base/console/',
  account_rejected: '',
  password_changed: 'https://gate.example.org/base/console/',
  password_reset: 'https://gate.example.org/base/console/',
  reset_password_link: `https://gate.example.org/base/console/reset-password?token=${TOKEN}`,
  verify_email_link: `https://gate.example.org/base/console/verify?token=${TOKEN}`,
  admin_digest: 'https://gate.example.org/base/console/',
};

describe('mail templates', () => {
  it.each(Object.keys(EVERY_KIND) as MailKind[])('%s: subject, text and HTML, escaped, nothing missing', (kind) => {
    const mail = renderMail(EVERY_KIND[kind], ctx);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part.length).toBeGreaterThan(0);
      expect(part).not.toMatch(/undefined|\[object Object\]|NaN|\bnull\b/);
    }
    expect(mail.subject).not.toMatch(/[\r\n<>]/);

    // The greeting names the user; the HTML never carries their input as markup.
    expect(mail.text).toContain(`Hello ${HOSTILE},`);
    expect(mail.html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;,');
    expect(mail.html).not.toContain('<script');
    expect(
      mail.html
        .match(/<[a-z]+/g)
        ?.every((tag) =>
          [
            '<html',
            '<head',
            '<meta',
            '<title',
            '<body',
            '<div',
            '<p',
            '<a',
            '<br',
            '<blockquote',
            '<table',
            '<tr',
            '<th',
            '<td',
          ].includes(tag),
        ),
    ).toBe(true);

    // Nothing loaded from elsewhere: no images, stylesheets, fonts or scripts; links only to PUBLIC_URL.
    expect(mail.html).not.toMatch(/<img|<link|<script|<style|@import|@font-face|url\(|src=/i);
    for (const [, href] of mail.html.matchAll(/href="([^"]*)"/g))
      expect(href.startsWith('https://gate.example.org/base/console/')).toBe(true);

    if (LINKS[kind]) {
      expect(mail.text.split('\n')).toContain(LINKS[kind]);
      expect(mail.html).toContain(`href="${LINKS[kind]}"`);
    }
    // Readable in a plain-text client: short lines, except a link on its own line.
    for (const line of mail.text.split('\n')) if (!line.startsWith('https://')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('says what happens next after a registration', () => {
    const { text } = renderMail(EVERY_KIND.registration_received, ctx);
    expect(text).toMatch(/waiting for an administrator to approve it/);
    expect(text).toMatch(/another email as soon as\s+they have decided/);
    expect(text).toContain('Email: ada@example.org');
  });

  it('quotes the reason of a rejection when there is one', () => {
    const withReason = renderMail(EVERY_KIND.account_rejected, ctx);
    expect(withReason.text).toContain(`> Not a researcher ${HOSTILE}\n> Second line`);
    expect(withReason.html).toContain(
      'Not a researcher &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<br>Second line',
    );
    const without = renderMail({ ...base, kind: 'account_rejected', reason: '  ' }, ctx);
    expect(without.text).toContain('No reason was given.');
    expect(without.text).not.toContain('> ');
  });

  it('tells how long a link is valid and when a password changed', () => {
    expect(renderMail(EVERY_KIND.reset_password_link, ctx).text).toMatch(/within\s+1 hour/);
    expect(renderMail(EVERY_KIND.verify_email_link, ctx).text).toMatch(/within\s+24 hours/);
    expect(renderMail(EVERY_KIND.password_changed, ctx).text).toContain('2025-03-01 14:05 UTC');
    expect(renderMail({ ...base, kind: 'password_reset', at: new Date('2024-12-31T23:59:00Z') }, ctx).text).toContain(
      '2024-12-31 23:59 UTC',
    );
    expect([formatDuration(1800), formatDuration(7200), formatDuration(90), formatDuration(1)]).toEqual([
      '30 minutes',
      '2 hours',
      '2 minutes',
      '1 second',
    ]);
  });

  it('lists each pending registration in the digest, with the count in the subject', () => {
    const digest = renderMail(EVERY_KIND.admin_digest, ctx);
    expect(digest.subject).toBe('Gatehouse: 2 registrations are waiting for approval');
    expect(digest.text).toContain(
      [
        `- Username: ${HOSTILE}`,
        '  Email: eve@example.org',
        `  Institution: Uni ${HOSTILE}`,
        '  Note: line one line two',
        '  Waiting since: 2025-03-01 09:00 UTC',
      ].join('\n'),
    );
    expect(digest.text).toContain(
      ['- Username: bob', '  Email: bob@example.org', '  Waiting since: 2025-03-01 10:30 UTC'].join('\n'),
    );
    expect(digest.html).toContain('<td style="vertical-align:top;padding:2px 0">Uni &lt;script&gt;');
    expect(digest.text).toContain('at most once every 15 minutes');

    const more = renderMail({ ...base, kind: 'admin_digest', registrations: [BOB], more: 4 }, ctx);
    expect(more.subject).toBe('Gatehouse: 5 registrations are waiting for approval');
    expect(more.text).toContain('…and 4 more.');
    const one = renderMail({ ...base, kind: 'admin_digest', registrations: [BOB] }, ctx);
    expect(one.subject).toBe('Gatehouse: 1 registration is waiting for approval');
  });
});
