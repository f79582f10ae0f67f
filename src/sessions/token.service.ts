import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

interface TokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

/** Signs access tokens: HS256, `sub` = user id, `sid` = session id, `exp` = session's max lifetime. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(userId: string, sessionId: string, issuedAt: Date, lifetimeSeconds: number): string {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const claims: TokenClaims = { sub: userId, sid: sessionId, iat, exp: iat + lifetimeSeconds };
    return this.jwt.sign(claims);
  }
}
