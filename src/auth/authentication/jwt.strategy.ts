import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey, KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import type { AuthPrincipal } from '../../sessions/auth-principal';
import type { SessionRejection } from '../../sessions/session-rules';
import { SessionAuthenticator } from './session-authenticator';

/** A token that was read but does not authenticate; `reason` goes to the audit trail. */
export class TokenRejectedError extends Error {
  constructor(
    readonly reason: SessionRejection | 'invalid' | 'expired',
    readonly userId?: string,
  ) {
    super(`token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}

const ALLOWED_HEADER_KEYS = new Set(['alg', 'typ']);

/** A JWT segment that must decode to a JSON object (header and payload alike). */
function objectSegment(token: string, index: number): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionAuthenticator,
  ) {
    // The key is derived once; deriving it from the string on every verify costs real CPU.
    const key: KeyObject = createSecretKey(Buffer.from(config.jwtSecret ?? '', 'utf8'));
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['HS256'],
      ignoreExpiration: false,
      // Only HS256 with no key-selection headers (kid, jku, jwk, x5u…) is ever accepted.
      // jsonwebtoken accepts a KeyObject although the typings only name string | Buffer.
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (err: unknown, key?: Buffer) => void) => {
        const header = objectSegment(rawJwt, 0);
        const clean =
          header !== null &&
          header.alg === 'HS256' &&
          Object.keys(header).every((k) => ALLOWED_HEADER_KEYS.has(k)) &&
          objectSegment(rawJwt, 1) !== null;
        if (clean) done(null, key as unknown as Buffer);
        else done(new TokenRejectedError('invalid'));
      },
    });
  }

  async validate(payload: Record<string, unknown>): Promise<AuthPrincipal> {
    const { sub, sid, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') {
      throw new TokenRejectedError('invalid');
    }
    const result = await this.sessions.check(sid, sub);
    if ('rejected' in result) throw new TokenRejectedError(result.rejected, result.userId);
    return result.principal;
  }
}
