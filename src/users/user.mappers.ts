import { AccountDto } from './dto/account.dto';
import { UserReadDto } from './dto/user-read.dto';
import { TrustedDomainDto } from './dto/trusted-domain.dto';
import { ApprovalUserDto, LoginUserDto, PendingUserDto, UserSummaryDto } from './dto/user-views.dto';
import type { TrustedDomain } from './trusted-domain.entity';
import { User } from './user.entity';

/** One mapper per response shape: entities never leave the service, these shapes do. */

export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toUserRead(user: User): UserReadDto {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_verified: user.isVerified,
    is_approved: user.isApproved,
    approval_status: user.approvalStatus,
    approval_note: user.approvalNote,
    institution: user.institution,
    approved_by: user.approvedBy,
    approved_at: isoOrNull(user.approvedAt),
    created_at: user.createdAt.toISOString(),
  };
}

export function toUserSummary(user: User): UserSummaryDto {
  return { id: user.id, username: user.username, email: user.email, is_active: user.isActive, is_superuser: user.isSuperuser };
}

export function toApprovalUser(user: User): ApprovalUserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    is_approved: user.isApproved,
    is_active: user.isActive,
    approved_by: user.approvedBy,
    approved_at: isoOrNull(user.approvedAt),
  };
}

/** `trustedDomain`: the trusted domain the user's address falls under, if any. */
export function toPendingUser(user: User, trustedDomain: string | null): PendingUserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    approval_note: user.approvalNote,
    institution: user.institution,
    created_at: user.createdAt.toISOString(),
    is_active: user.isActive,
    trusted_domain: trustedDomain,
  };
}

export function toLoginUser(user: User): LoginUserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_approved: user.isApproved,
  };
}

/** The account shape: the user as it reads itself, without who approved it and when. */
export function toAccount(user: User): AccountDto {
  const { approved_by: _by, approved_at: _at, ...account } = toUserRead(user);
  return account;
}

export function toTrustedDomain(entry: TrustedDomain): TrustedDomainDto {
  return {
    domain: entry.domain,
    institution: entry.institution,
    created_at: entry.createdAt.toISOString(),
    created_by: entry.createdBy,
  };
}
