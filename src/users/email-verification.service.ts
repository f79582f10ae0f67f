import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { AccountTokensService } from './account-tokens.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

/** Confirming an address with the token mailed to it (docs/API.md §9 Password reset and email verification). */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: AccountTokensService,
    private readonly audit: AuditService,
  ) {}

  /** Marks the address verified and uses the token up; an address changed since voids the token. */
  async verify(token: string, context: RequestContext): Promise<User> {
    return this.users.transaction(async (manager) => {
      const found = await this.tokens.find(token, 'verify', manager);
      if (!found) throw new AppError('VERIFY_USER_BAD_TOKEN');
      if (found.user.isVerified) throw new AppError('VERIFY_USER_ALREADY_VERIFIED');
      await this.tokens.markUsed(manager, found.row);
      await this.users.update(manager, found.user.id, { isVerified: true });
      const party = { id: found.user.id, username: found.user.username };
      await this.audit.record(manager, {
        eventType: 'email_verified',
        actor: party,
        target: party,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { email: found.user.email },
      });
      const user = await this.users.findById(found.user.id, manager);
      if (!user) throw new AppError('VERIFY_USER_BAD_TOKEN');
      return user;
    });
  }
}
