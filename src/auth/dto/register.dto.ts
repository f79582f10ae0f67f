import { ApiHideProperty } from '@nestjs/swagger';
import { Allow, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Letters, digits and common punctuation; no spaces or control characters. */
export const USERNAME_PATTERN = /^[^\s\p{C}]+$/u;

export class RegisterDto {
  /** @example "ada@example.org" */
  @IsEmail()
  @MaxLength(320)
  email: string;

  /** @example "ada" */
  @IsString()
  @MinLength(1)
  @MaxLength(150)
  @Matches(USERNAME_PATTERN, { message: 'username must not contain spaces or control characters' })
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
