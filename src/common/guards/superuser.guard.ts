import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthPrincipal } from '../../auth/sessions/auth-principal';
import { AppError } from '../errors/app-error';

/**
 * Runs after the global JWT guard, on the user as loaded for this very request: a demotion is
 * seen on the next request. Never used directly; see @SuperuserOnly().
 */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!principal?.isSuperuser) throw new AppError('ADMIN_REQUIRED', 'Admin access required');
    return true;
  }
}
