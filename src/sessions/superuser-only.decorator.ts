import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppError } from '../common/errors/app-error';
import type { AuthPrincipal } from './auth-principal';

export const SUPERUSER_ONLY = 'gatehouse:superuserOnly';

/**
 * Runs after the global authentication guard, on the user as loaded for this very request: a
 * demotion is seen on the next request. Never used directly; see @SuperuserOnly().
 */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!principal?.isSuperuser) throw new AppError('ADMIN_REQUIRED', 'Admin access required');
    return true;
  }
}

/** The one way to restrict a route to superusers: guard, metadata and OpenAPI in one place. */
export const SuperuserOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(SUPERUSER_ONLY, true),
    UseGuards(SuperuserGuard),
    ApiBearerAuth(),
    ApiOAuth2([]),
    ApiUnauthorizedResponse({ description: 'No valid session (`{"detail": "Unauthorized"}`)' }),
    ApiForbiddenResponse({ description: 'Not a superuser (`{"detail": "Admin access required"}`)' }),
  );
