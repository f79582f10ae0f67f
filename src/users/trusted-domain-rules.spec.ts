import { candidateDomains, longestMatch, trustedDomainKey } from './trusted-domain-rules';

describe('trusted domain rules', () => {
  it.each([
    ['example.org', 'example.org'],
    [`${'abcdefghi.'.repeat(25)}org`, `${'abcdefghi.'.repeat(25)}org`],
    ['EXAMPLE.ORG', 'example.org'],
    ['Lab.Example.org', 'lab.example.org'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['XN--BCHER-KVA.DE', 'xn--bcher-kva.de'],
    ['ｅｘａｍｐｌｅ.org', 'example.org'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['123.example.org', '123.example.org'],
    ['my-lab.example.org', 'my-lab.example.org'],
  ])('keeps %j as %j', (text, key) => {
    expect(trustedDomainKey(text)).toBe(key);
  });

  it.each([
    ['', 'empty'],
    ['localhost', 'a single label'],
    ['org', 'a top-level domain alone'],
    ['192.168.1.10', 'an IPv4 address'],
    ['0x7f.1', 'an IPv4 address in another notation'],
    ['::1', 'an IPv6 address'],
    ['[::1]', 'a bracketed IPv6 address'],
    ['example.123', 'a numeric top-level domain'],
    ['*.example.org', 'a wildcard'],
    ['https://example.org', 'a scheme'],
    ['example.org/path', 'a path'],
    ['example.org:443', 'a port'],
    ['user@example.org', 'an address'],
    ['exa_mple.org', 'an underscore'],
    ['exa mple.org', 'a space'],
    [' example.org', 'surrounding space'],
    ['ex\u200bample.org', 'an invisible character'],
    ['ex%41mple.org', 'a percent escape'],
    ['example..org', 'an empty label'],
    ['.example.org', 'a leading dot'],
    ['example.org.', 'a trailing dot'],
    ['-lab.example.org', 'a label starting with a hyphen'],
    ['lab-.example.org', 'a label ending with a hyphen'],
    [`${'a'.repeat(64)}.org`, 'a label of 64 characters'],
    [`${'abcdefghi.'.repeat(25)}orgs`, '254 characters'],
    ['xn--zz.de', 'broken punycode'],
  ])('refuses %j (%s)', (text) => {
    expect(trustedDomainKey(text)).toBeNull();
  });

  it('lists the domains an address falls under, most specific first, in ASCII form', () => {
    expect(candidateDomains('ada@x.Lab.Example.org')).toEqual(['x.lab.example.org', 'lab.example.org', 'example.org']);
    expect(candidateDomains('i@bücher.de')).toEqual(['xn--bcher-kva.de']);
    expect(candidateDomains('root@localhost')).toEqual([]);
    expect(candidateDomains('not-an-address')).toEqual([]);
  });

  it('matches a domain and its subdomains, never a look-alike suffix; the longest match wins', () => {
    const trusted = new Map([
      ['example.org', 'broad'],
      ['lab.example.org', 'narrow'],
    ]);
    expect(longestMatch('a@example.org', trusted)).toBe('broad');
    expect(longestMatch('a@other.example.org', trusted)).toBe('broad');
    expect(longestMatch('a@x.lab.example.org', trusted)).toBe('narrow');
    expect(longestMatch('a@lab.example.org', trusted)).toBe('narrow');
    expect(longestMatch('a@badexample.org', trusted)).toBeNull();
    expect(longestMatch('a@example.org.evil.net', trusted)).toBeNull();
  });
});
