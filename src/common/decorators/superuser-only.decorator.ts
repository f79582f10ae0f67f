import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SuperuserGuard } from '../guards/superuser.guard';

export const SUPERUSER_ONLY = 'gatehouse:superuserOnly';

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
