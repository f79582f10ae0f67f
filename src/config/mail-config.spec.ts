import { ConfigError, loadConfig } from './load-config';

/** The mail variables of docs/API.md §17 Configuration (§13 Mail). */
describe('loadConfig: mail', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      smtpUrl: undefined,
      mailFrom: 'Gatehouse <gatehouse@localhost>',
      publicUrl: 'http://localhost:3000',
      adminDigestMinutes: 15,
      mailMaxAttempts: 13,
    });
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('accepts the documented forms', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:p%40ss@mail.example.org:465',
      MAIL_FROM: 'Research Gate <noreply@example.org>',
      PUBLIC_URL: 'https://example.org/gatehouse/',
      ADMIN_DIGEST_MINUTES: '0',
    });
    expect(config).toMatchObject({
      smtpUrl: 'smtps://user:p%40ss@mail.example.org:465',
      mailFrom: 'Research Gate <noreply@example.org>',
      publicUrl: 'https://example.org/gatehouse',
      adminDigestMinutes: 0,
    });
    expect(loadConfig({ SMTP_URL: 'smtp://mailpit:1025', MAIL_FROM: 'noreply@example.org' }).smtpUrl).toBe('smtp://mailpit:1025');
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ MAIL_FROM: '"Lab, Dept." <lab@example.org>' }).mailFrom).toBe('"Lab, Dept." <lab@example.org>');
  });

  it.each([
    [{ SMTP_URL: 'http://mail.example.org' }, 'SMTP_URL'],
    [{ SMTP_URL: 'mail.example.org:25' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail.example.org/path' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'Gatehouse' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Gatehouse <gatehouse>' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@b.org, c@d.org' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@b.org,c@d.org' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@b.org, Other <c@d.org>' }, 'MAIL_FROM'],
    [{ PUBLIC_URL: 'example.org' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://example.org' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://example.org/?x=1' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://user:secret@example.org' }, 'PUBLIC_URL'],
    [{ ADMIN_DIGEST_MINUTES: '-1' }, 'ADMIN_DIGEST_MINUTES'],
    [{ ADMIN_DIGEST_MINUTES: 'often' }, 'ADMIN_DIGEST_MINUTES'],
    [{ MAIL_MAX_ATTEMPTS: '0' }, 'MAIL_MAX_ATTEMPTS'],
    [{ MAIL_MAX_ATTEMPTS: '26' }, 'MAIL_MAX_ATTEMPTS'],
  ])('names the bad variable in one line: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: [^\\n]+$`));
  });

  it('never repeats an SMTP password in its error', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2-secret@mail.example.org' })).toThrow(/^SMTP_URL: /);
    try {
      loadConfig({ SMTP_URL: 'http://user:hunter2-secret@mail.example.org' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
