import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The only field a user changes about themselves; anything else is 422. */
export class UpdateAccountDto {
  /** Null clears it. @example "University of Somewhere" */
  @IsOptional() @IsString() @MaxLength(300) institution?: string | null;
}

export class ChangePasswordDto {
  /** @example "the current password" */
  @IsString() @MaxLength(1024) current_password: string;
  /** 8 to 128 characters, not the username or email. @example "a new long passphrase" */
  @IsString() @MaxLength(1024) new_password: string;
}
