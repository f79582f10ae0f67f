import { SessionViewDto } from '../../sessions/dto/session-view.dto';
import type { BulkOutcome } from '../../users/approval-decisions';
import { TrustedDomainDto } from '../../users/dto/trusted-domain.dto';
import { UserReadDto } from '../../users/dto/user-read.dto';
import { ApprovalUserDto, PendingUserDto, UserSummaryDto } from '../../users/dto/user-views.dto';

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

export class UserMessageDto {
  /** @example "User updated successfully" */
  message: string;
  user: UserSummaryDto;
}

export class MessageDto {
  /** @example "User 'grace' deleted successfully" */
  message: string;
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

export class PendingApprovalsDto {
  pending_users: PendingUserDto[];
  /** The whole filtered queue (not only this page). @example 1 */
  count: number;
  /** Pass as `cursor` for the next page; null on the last page. @example "eyJzIjoicGVuZGluZyIsInYiOiIyMDI2LTAxLTAxIDEyOjAwOjAwLjEyMzQ1NiswMCIsImkiOiIzZjFjMmE5ZS01YjdkLTRjMWUtOWEyYi04ZDZlNGYwYTFiMmMifQ" */
  next_cursor: string | null;
}

export class BulkResultDto {
  /** Hyphenated, lowercase. @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "approved" */
  outcome: BulkOutcome;
}

export class BulkApprovalResultDto {
  /** One per distinct id, in the order the ids were first given. */
  results: BulkResultDto[];
}

export class UserSessionsDto {
  /** Live sessions only, newest first. */
  sessions: SessionViewDto[];
}

export class RevokedSessionsDto {
  /** Live sessions ended. @example 2 */
  revoked: number;
}

export class TrustedDomainListDto {
  domains: TrustedDomainDto[];
}
