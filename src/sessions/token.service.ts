import { Injectable } from '@nestjs/common';
import { sign } from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { AppConfig } from '../config/app-config';

interface TokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

/**
 * Signs access tokens: HS256, `sub` = user id, `sid` = session id, `exp` = session's max lifetime
 * (docs/API.md §5 Sessions and tokens). The key is derived from JWT_SECRET once, not on every sign.
 */
@Injectable()
export class TokenService {
  private readonly key: KeyObject;

  constructor(config: AppConfig) {
    this.key = createSecretKey(Buffer.from(config.jwtSecret ?? '', 'utf8'));
  }

  issue(userId: string, sessionId: string, issuedAt: Date, lifetimeSeconds: number): string {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const claims: TokenClaims = { sub: userId, sid: sessionId, iat, exp: iat + lifetimeSeconds };
    return sign(claims, this.key, { algorithm: 'HS256' });
  }
}
