import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { toSessionView } from '../sessions/session.mappers';
import { SessionsService } from '../sessions/sessions.service';
import { CredentialsService } from '../users/credentials.service';
import { AccountDto } from '../users/dto/account.dto';
import { toAccount } from '../users/user.mappers';
import { UsersService } from '../users/users.service';
import { OwnSessionListDto, RevokedCountDto } from './dto/account-responses.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sessionNotFound = () => new AppError('SESSION_NOT_FOUND', 'Session not found');
const unauthorized = () => new AppError('UNAUTHORIZED', 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });

/** Self-service for any signed-in user: profile, own password, own sessions (docs/API.md §8 Accounts). */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
  ) {}

  async me(principal: AuthPrincipal): Promise<AccountDto> {
    const user = await this.users.findById(principal.id);
    if (!user) throw unauthorized();
    return toAccount(user);
  }

  async update(principal: AuthPrincipal, changes: { institution?: string | null }): Promise<AccountDto> {
    const user = await this.users.updateProfile(principal.id, changes);
    if (!user) throw unauthorized();
    return toAccount(user);
  }

  async changePassword(principal: AuthPrincipal, current: string, next: string, context: RequestContext): Promise<void> {
    await this.credentials.changePassword(principal.id, principal.sessionId, current, next, context);
  }

  async sessionsOf(principal: AuthPrincipal): Promise<OwnSessionListDto> {
    const sessions = await this.sessions.listLive(principal.id);
    return { sessions: sessions.map((session) => ({ ...toSessionView(session), current: session.id === principal.sessionId })) };
  }

  /** Ends one of the caller's own sessions (their current one too: that is a logout). */
  async revoke(principal: AuthPrincipal, sessionId: string, context: RequestContext): Promise<void> {
    if (!UUID.test(sessionId)) throw sessionNotFound();
    const ended = await this.sessions.endOwn(principal, sessionId.toLowerCase(), 'by_owner', context);
    if (!ended) throw sessionNotFound();
  }

  async revokeOthers(principal: AuthPrincipal, context: RequestContext): Promise<RevokedCountDto> {
    return { revoked: await this.sessions.endOthers(principal, 'by_owner', context) };
  }
}
