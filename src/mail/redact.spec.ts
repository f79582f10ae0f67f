import { describeFailure } from './redact';

describe('describeFailure', () => {
  const token = 'Zk3_q8-LmN0pQrStUvWxYz0123456789abcdEFGH';
  const body = `Choose a new password:\nhttps://gate.example.org/console/reset-password?token=${token}\n`;

  it('keeps the code, the SMTP status and the message', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' });
    expect(describeFailure(error, body)).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:2525');
    const refused = Object.assign(new Error('Message failed: 550 mailbox unavailable'), { code: 'EMESSAGE', responseCode: 550 });
    expect(describeFailure(refused, body)).toBe('EMESSAGE 550: Message failed: 550 mailbox unavailable');
  });

  it('takes out a token and anything a server quoted back from the mail', () => {
    const quoting = new Error(`550 refused: ...reset-password?token=${token} and again ${token}.`);
    const described = describeFailure(quoting, body);
    expect(described).not.toContain(token);
    expect(described).toContain('token=[redacted]');
    expect(described).toContain('and again [redacted]');
    // Split by a quoted-printable soft line break, cut short by the server, or beyond the length kept.
    expect(describeFailure(new Error(`quoted: ${token.slice(0, 30)}=\r\n${token.slice(30)} end`), body)).toBe(
      'quoted: [redacted] end',
    );
    expect(describeFailure(new Error(`refused: ${token.slice(0, 20)}`), body)).toBe('refused: [redacted]');
    expect(describeFailure(new Error(`${'x '.repeat(240)}${token}`), body)).not.toMatch(/Zk3_q8/);
    // Even without "token=" before it, and without the mail at hand.
    expect(describeFailure(new Error(`token=${token}`), '')).toBe('token=[redacted]');
  });

  it('is one bounded line', () => {
    const described = describeFailure(new Error(`first\nsecond ${'x'.repeat(5000)}`), '');
    expect(described).not.toContain('\n');
    expect(described.length).toBeLessThanOrEqual(500);
    expect(describeFailure('a string thrown', '')).toBe('a string thrown');
    expect(describeFailure(undefined, '')).toBe('undefined');
  });
});
