import { sign } from 'jsonwebtoken';
import { loadConfig } from '../../config/load-config';
import { TokenService } from '../../sessions/token.service';
import { AccessTokenVerifier, bearerToken, TokenRejectedError } from './access-token-verifier';

const SECRET = 'unit-secret-that-is-long-enough-for-hs256-0123456789';
const USER = '6f1d2c3b-4a5e-4f60-8172-839405162738';
const SESSION = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof TokenRejectedError ? error.reason : `threw ${String(error)}`;
  }
};

describe('AccessTokenVerifier', () => {
  const verifier = () => new AccessTokenVerifier(loadConfig({ JWT_SECRET: SECRET }));
  // jsonwebtoken reads the real clock when it first verifies a token.
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const token = (claims: object, secret = SECRET, options: object = {}) =>
    sign({ sub: USER, sid: SESSION, iat, exp: iat + 3600, ...claims }, secret, { algorithm: 'HS256', ...options });

  it('accepts our token, and refuses it once expired even after it was remembered', () => {
    const sut = verifier();
    const good = token({});
    expect(sut.claimsOf(good, now)).toEqual({ sub: USER, sid: SESSION, iat, exp: iat + 3600 });
    expect(sut.claimsOf(good, now + 3599_000)).toMatchObject({ sid: SESSION });
    expect(reasonOf(() => sut.claimsOf(good, now + 3600_000))).toBe('expired');
  });

  it('accepts what TokenService issues, with its claims', () => {
    const issued = new TokenService(loadConfig({ JWT_SECRET: SECRET })).issue(USER, SESSION, new Date(now), 3600);
    expect(verifier().claimsOf(issued, now)).toEqual({ sub: USER, sid: SESSION, iat, exp: iat + 3600 });
    expect(reasonOf(() => new AccessTokenVerifier(loadConfig({ JWT_SECRET: `${SECRET}x` })).claimsOf(issued, now))).toBe(
      'invalid',
    );
  });

  it('refuses a token expired on first sight as expired', () => {
    const expired = sign({ sub: USER, sid: SESSION, iat: iat - 7200, exp: iat - 3600 }, SECRET, { algorithm: 'HS256' });
    expect(reasonOf(() => verifier().claimsOf(expired))).toBe('expired');
  });

  it('refuses another key, another algorithm, key-selection headers, missing claims and a not-before', () => {
    const sut = verifier();
    expect(reasonOf(() => sut.claimsOf(token({}, 'another-secret-that-is-long-enough-0123456789'), now))).toBe('invalid');
    expect(reasonOf(() => sut.claimsOf(token({}, SECRET, { algorithm: 'HS512' }), now))).toBe('invalid');
    expect(reasonOf(() => sut.claimsOf(token({}, SECRET, { keyid: 'k1' }), now))).toBe('invalid');
    expect(reasonOf(() => sut.claimsOf(token({ sid: undefined }), now))).toBe('invalid');
    expect(reasonOf(() => sut.claimsOf(token({ nbf: iat - 10 }), now))).toBe('invalid');
    const [header, payload] = token({}).split('.');
    expect(reasonOf(() => sut.claimsOf(`${header}.${payload}.`, now))).toBe('invalid');
    expect(reasonOf(() => sut.claimsOf('not.a.token', now))).toBe('invalid');
  });

  it('never remembers a refused token: a forged signature stays refused on every try', () => {
    const sut = verifier();
    const good = token({});
    const forged = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    for (let i = 0; i < 3; i += 1) expect(reasonOf(() => sut.claimsOf(forged, now))).toBe('invalid');
  });
});

describe('bearerToken', () => {
  it('reads the first word after the Bearer scheme, in any case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('  bearer   abc extra')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
