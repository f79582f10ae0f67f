import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsAcceptableEmail, IsUsername } from '../../users/dto/identity.validators';
import { IsDomainName } from '../../users/dto/trusted-domain.validators';
import { toBoolean, toInteger } from '../../common/http/query-transforms';
import { UUID_OR_HEX } from './audit-query.dto';

export const USER_SORTS = ['created_at', '-created_at', 'username', '-username', 'email', '-email'] as const;
export const USER_STATUSES = ['pending', 'approved', 'rejected', 'active', 'inactive'] as const;

export class ListUsersQueryDto {
  /** Case-insensitive substring of username, email or institution. @example "ada" */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** @example "pending" */
  @IsOptional() @IsIn(USER_STATUSES) status?: (typeof USER_STATUSES)[number];
  /** @example false */
  @IsOptional() @Transform(toBoolean) @IsBoolean() is_superuser?: boolean;
  /** Sort field; a `-` prefix sorts descending. @example "-created_at" */
  @IsOptional() @IsIn(USER_SORTS) sort?: (typeof USER_SORTS)[number];
  /** 1 to 1000. @example 100 */
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(1000) limit?: number;
  /** `next_cursor` of the previous page. */
  @IsOptional() @IsString() @MaxLength(1000) cursor?: string;
}

export class AdminCreateUserDto {
  /** 1 to 150 characters (after NFKC), with a letter or digit; no spaces, control, format or invisible characters. @example "grace" */
  @IsString() @MinLength(1) @MaxLength(150) @IsUsername() username: string;
  /** @example "grace@example.org" */
  @IsEmail() @MaxLength(320) @IsAcceptableEmail() email: string;
  /** 8 to 128 characters. @example "a long enough password" */
  @IsString() password: string;
  /** @example false */
  @IsOptional() @IsBoolean() is_superuser?: boolean = false;
  /** @example true */
  @IsOptional() @IsBoolean() is_active?: boolean = true;
}

/** Exactly the original system's fields; anything else is 422. */
export class AdminUpdateUserDto {
  /** Same rules as at registration. @example "grace" */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(150) @IsUsername() username?: string;
  /** @example "grace@example.org" */
  @IsOptional() @IsEmail() @MaxLength(320) @IsAcceptableEmail() email?: string;
  /** @example true */
  @IsOptional() @IsBoolean() is_active?: boolean;
  /** @example false */
  @IsOptional() @IsBoolean() is_superuser?: boolean;
}

export class RoleChangeDto {
  static readonly optionalBody = true;
  /** Kept in the audit trail. @example "Runs the lab's onboarding" */
  @IsOptional() @IsString() @MaxLength(1000) reason?: string | null;
  /** If sent, must be the user of the path (as in the original system). @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  @IsOptional() @IsString() @MaxLength(64) user_id?: string;
}

export class ApprovalDto {
  /** true approves, false rejects. @example true */
  @IsBoolean() approved: boolean;
  /** Kept in the audit trail (and as the rejection reason). @example "Verified with the PI" */
  @IsOptional() @IsString() @MaxLength(1000) reason?: string | null;
}

/** docs/API.md §10 Administration: the pending queue's filters. */
export class PendingQueryDto {
  /** Case-insensitive substring of username, email or institution. @example "ada" */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** The institution, exactly but case-insensitively. @example "University of Somewhere" */
  @IsOptional() @IsString() @MaxLength(300) institution?: string;
  /** 1 to 1000. @example 100 */
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(1000) limit?: number;
  /** `next_cursor` of the previous page. */
  @IsOptional() @IsString() @MaxLength(1000) cursor?: string;
}

export class BulkApprovalDto {
  /** 1 to 500 user ids, hyphenated or 32 hex digits; repeats are decided once. @example ["3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Matches(UUID_OR_HEX, { each: true, message: 'each value in user_ids must be a user id (hyphenated or 32 hex digits)' })
  user_ids: string[];
  /** true approves, false rejects. @example true */
  @IsBoolean() approved: boolean;
  /** Kept in each audit event (and as the rejection reason). @example "Partner lab, verified" */
  @IsOptional() @IsString() @MaxLength(1000) reason?: string | null;
}

export class TrustedDomainCreateDto {
  /** A domain name in Unicode or ASCII form; kept in lowercase ASCII. @example "example.org" */
  @IsString() @MaxLength(253) @IsDomainName() domain: string;
  /** Informative. @example "University of Somewhere" */
  @IsOptional() @IsString() @MaxLength(300) institution?: string | null;
}
