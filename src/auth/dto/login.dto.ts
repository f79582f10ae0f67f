import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  /** @example "ada" */
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  username_or_email: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(1024)
  password: string;
}

/** OAuth2 password flow (form-urlencoded), as Swagger's Authorize dialog sends it. */
export class JwtLoginDto {
  /** Username or email. @example "ada" */
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  username: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(1024)
  password: string;

  /** @example "password" */
  @IsOptional() @IsString() @MaxLength(64) grant_type?: string;
  /** Accepted and ignored (OAuth2 form field). @example "" */
  @IsOptional() @IsString() @MaxLength(1024) scope?: string;
  /** Accepted and ignored (OAuth2 form field). @example "" */
  @IsOptional() @IsString() @MaxLength(256) client_id?: string;
  /** Accepted and ignored (OAuth2 form field). @example "" */
  @IsOptional() @IsString() @MaxLength(256) client_secret?: string;
}
