import { ApiHideProperty } from '@nestjs/swagger';
import { Allow, IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsAcceptableEmail, IsUsername } from '../../users/dto/identity.validators';

export class RegisterDto {
  /** @example "ada@example.org" */
  @IsEmail()
  @MaxLength(320)
  @IsAcceptableEmail()
  email: string;

  /** 1 to 150 characters (after NFKC), with a letter or digit; no spaces, control, format or invisible characters. @example "ada" */
  @IsString()
  @MinLength(1)
  @MaxLength(150)
  @IsUsername()
  username: string;

  /**
   * 8 to 128 characters, not equal to the username or the email.
   * @example "correct horse battery staple"
   */
  @IsString()
  password: string;

  /** @example "PhD student, needs access for the thesis project" */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  approval_note?: string | null;

  /** @example "University of Somewhere" */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  institution?: string | null;

  // fastapi-users clients may send these; they are accepted and never applied (docs/API.md §1 Conventions).
  @ApiHideProperty() @Allow() is_active?: unknown;
  @ApiHideProperty() @Allow() is_superuser?: unknown;
  @ApiHideProperty() @Allow() is_verified?: unknown;
  @ApiHideProperty() @Allow() is_approved?: unknown;
  @ApiHideProperty() @Allow() id?: unknown;
  @ApiHideProperty() @Allow() hashed_password?: unknown;
}
