import { emailKey, emailProblem, loginKeys, normaliseUsername, usernameKey, usernameProblem } from './identity';

describe('identity rules', () => {
  it('keys look-alike usernames alike: width, composition and case', () => {
    expect(usernameKey('ｒｏｏｔｘ')).toBe(usernameKey('rootx'));
    expect(usernameKey('Jose\u0301')).toBe(usernameKey('José'));
    expect(usernameKey('ROOTX')).toBe('rootx');
    expect(usernameKey('Straße')).toBe(usernameKey('STRASSE'));
    expect(normaliseUsername('ｒｏｏｔｘ')).toBe('rootx');
  });

  it.each([
    ['rootx\u034f', 'combining grapheme joiner'],
    ['rootx\u3164', 'Hangul filler'],
    ['rootx\ufe0f', 'variation selector'],
    ['root\u200bx', 'zero-width space'],
    ['root x', 'space'],
    ['root\u00a0x', 'no-break space'],
    ['root\u0007x', 'control'],
    ['\u2800\u2800', 'braille blanks only'],
    ['!!!', 'symbols only'],
    ['\u3164', 'a filler alone'],
    ['x'.repeat(151), 'too long'],
  ])('refuses %j (%s)', (username) => {
    expect(usernameProblem(username)).not.toBeNull();
  });

  it.each(['ada', 'grace.hopper', 'José', '李小龍', 'user_42', 'x@example.org'])('accepts %j', (username) => {
    expect(usernameProblem(username)).toBeNull();
  });

  it('keys emails by NFC local part, case-folded, and the ASCII form of the domain', () => {
    expect(emailKey('i@bücher.de')).toBe('i@xn--bcher-kva.de');
    expect(emailKey('I@XN--BCHER-KVA.DE')).toBe('i@xn--bcher-kva.de');
    // Broken punycode has no Unicode form, on every Node version.
    expect(emailKey('i@xn--zz.de')).toBeNull();
    expect(emailKey('Jose\u0301@example.org')).toBe(emailKey('josé@example.org'));
    expect(emailKey('no-domain@')).toBeNull();
  });

  it.each(['a\u200b@example.org', 'a\u202e@example.org', 'a @example.org', 'a@exa\u200bmple.org'])(
    'refuses the email %j',
    (email) => {
      expect(emailProblem(email)).not.toBeNull();
    },
  );

  it('keys a username shaped like an email as that email, so the two can never belong to two accounts', () => {
    expect(usernameKey('X@Ex.org')).toBe(emailKey('x@ex.org'));
    expect(usernameKey('i@bücher.de')).toBe(emailKey('i@xn--bcher-kva.de'));
  });

  it('derives both possible keys of a login identifier', () => {
    expect(loginKeys('ADA')).toEqual({ username: 'ada', email: null });
    expect(loginKeys('Ada@Example.org')).toEqual({ username: 'ada@example.org', email: 'ada@example.org' });
  });
});
