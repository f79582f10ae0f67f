import { Injectable } from '@nestjs/common';
import { verify, TokenExpiredError } from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import type { SessionRejection } from '../../sessions/session-rules';

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

/** The claims of one of our access tokens (TokenService). */
export interface AccessClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

const ALLOWED_HEADER_KEYS = new Set(['alg', 'typ']);
const BEARER = /^\s*bearer\s+(\S+)/i;

/** At most this many verified tokens are remembered; the oldest go first. */
const MAX_REMEMBERED = 20_000;

/** A JWT segment that must decode to a JSON object (header and payload alike). */
function objectSegment(segment: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), else null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  return BEARER.exec(header)?.[1] ?? null;
}

/**
 * Checks an access token's signature and claims (docs/API.md §5 Sessions and tokens): HS256 only,
 * no key-selection headers (kid, jku, jwk, x5u…), `exp` in the future, `sub`, `sid`, `iat`, `exp`
 * present. Whether the session is alive is the SessionAuthenticator's question, asked on every
 * request. A token's verdict depends only on its text and the time, so the claims of a verified
 * token are remembered (bounded) and only `exp` is checked again: the signature is computed once
 * per token, not once per request.
 */
@Injectable()
export class AccessTokenVerifier {
  /** The key is derived once; deriving it from the string on every verify costs real CPU. */
  private readonly key: KeyObject;
  private readonly verified = new Map<string, AccessClaims>();

  constructor(config: AppConfig) {
    this.key = createSecretKey(Buffer.from(config.jwtSecret ?? '', 'utf8'));
  }

  /** The token's claims, or a TokenRejectedError ('expired' or 'invalid'). */
  claimsOf(token: string, nowMs: number = Date.now()): AccessClaims {
    const known = this.verified.get(token);
    if (known) {
      if (nowMs >= known.exp * 1000) throw new TokenRejectedError('expired');
      return known;
    }
    const claims = this.verify(token);
    if (this.verified.size >= MAX_REMEMBERED) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims;
  }

  private verify(token: string): AccessClaims {
    const [headerPart, payloadPart] = token.split('.');
    const header = objectSegment(headerPart);
    const clean =
      header !== null &&
      header.alg === 'HS256' &&
      Object.keys(header).every((k) => ALLOWED_HEADER_KEYS.has(k)) &&
      objectSegment(payloadPart) !== null;
    if (!clean) throw new TokenRejectedError('invalid');
    let payload: unknown;
    try {
      // jsonwebtoken accepts a KeyObject although the typings only name string | Buffer.
      payload = verify(token, this.key as unknown as Buffer, { algorithms: ['HS256'], ignoreExpiration: false });
    } catch (error) {
      throw new TokenRejectedError(error instanceof TokenExpiredError ? 'expired' : 'invalid');
    }
    const { sub, sid, iat, exp, nbf } = payload as Record<string, unknown>;
    // A not-before time would make the verdict change with time in another way: never issued by us.
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      nbf !== undefined
    ) {
      throw new TokenRejectedError('invalid');
    }
    return { sub, sid, iat, exp };
  }
}
