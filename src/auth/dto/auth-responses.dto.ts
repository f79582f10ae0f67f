import { LoginUserDto } from '../../users/dto/user-views.dto';

export class BearerTokenDto {
  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi..." */
  access_token: string;
  /** @example "bearer" */
  token_type: 'bearer';
}

export class LoginResponseDto extends BearerTokenDto {
  user: LoginUserDto;
}

export class WhoAmIDto {
  /** @example "ada" */
  username: string;
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example false */
  is_superuser: boolean;
  /** @example true */
  is_active: boolean;
}

export class AuthFeaturesDto {
  /** @example true */
  inactivity_based_expiration: boolean;
}

export class AuthConfigDto {
  /** SESSION_IDLE_TIMEOUT_SECONDS / 60, unrounded. @example 20 */
  inactivity_threshold_minutes: number;
  /** SESSION_MAX_LIFETIME_SECONDS / 3600, unrounded. @example 1 */
  max_token_lifetime_hours: number;
  features: AuthFeaturesDto;
}
