import { UserReadDto } from './dto/user-read.dto';
import { User } from './user.entity';

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
