import { UserReadDto } from '../../users/dto/user-read.dto';

export class UserListDto {
  users: UserReadDto[];
  /** Users matching the filters (all users without filters). @example 1 */
  total: number;
  /** Superusers among them. @example 1 */
  superusers: number;
  /** Active users among them. @example 1 */
  active_users: number;
  /** Pass as `cursor` for the next page; null on the last page. @example "eyJzIjoiY3JlYXRlZF9hdCIsInYiOiIyMDI2LTAxLTAxIiwiaSI6IjNmMWMifQ" */
  next_cursor: string | null;
}

export class UserSummaryDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example true */
  is_active: boolean;
  /** @example false */
  is_superuser: boolean;
}

export class UserMessageDto {
  /** @example "User updated successfully" */
  message: string;
  user: UserSummaryDto;
}

export class MessageDto {
  /** @example "User 'grace' deleted successfully" */
  message: string;
}

export class ApprovalUserDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example true */
  is_approved: boolean;
  /** @example true */
  is_active: boolean;
  /** @example "0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d" */
  approved_by: string | null;
  /** @example "2026-01-02T09:30:00.000Z" */
  approved_at: string | null;
}

export class ApprovalResultDto {
  /** @example "User 'grace' approved successfully" */
  message: string;
  user: ApprovalUserDto;
}

export class SystemInfoDto {
  /** @example true */
  first_user_created: boolean;
  /** @example true */
  has_superusers: boolean;
}

export class StatsDto {
  /** @example 12 */
  total_users: number;
  /** @example 9 */
  active_users: number;
  /** total − active (pending and rejected included). @example 3 */
  inactive_users: number;
  /** @example 2 */
  superusers: number;
  /** @example 10 */
  regular_users: number;
  /** @example 2 */
  pending_approvals: number;
  /** @example 1 */
  rejected_users: number;
  system_info: SystemInfoDto;
}

export class PendingUserDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example "PhD student" */
  approval_note: string | null;
  /** @example "University of Somewhere" */
  institution: string | null;
  /** @example "2026-01-01T12:00:00.000Z" */
  created_at: string;
  /** @example false */
  is_active: boolean;
}

export class PendingApprovalsDto {
  pending_users: PendingUserDto[];
  /** @example 1 */
  count: number;
}
