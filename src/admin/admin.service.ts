import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, encodeCursor, PG_TIMESTAMPTZ } from '../common/http/cursor';
import { RequestContext } from '../common/http/request-context';
import { normaliseUserId } from '../common/http/parse-user-id.pipe';
import { User } from '../users/user.entity';
import { isoOrNull } from '../users/user.mapper';
import { Actor, UserAdministrationService, UserChanges } from '../users/user-administration.service';
import { SortField, UserDirectoryService } from '../users/user-directory.service';
import { UsersService } from '../users/users.service';
import { AdminCreateUserDto, AdminUpdateUserDto, ListUsersQueryDto } from './dto/admin-requests.dto';
import {
  ApprovalResultDto,
  MessageDto,
  PendingApprovalsDto,
  StatsDto,
  UserListDto,
  UserMessageDto,
  UserSummaryDto,
} from './dto/admin-responses.dto';

const summary = (user: User): UserSummaryDto => ({
  id: user.id,
  username: user.username,
  email: user.email,
  is_active: user.isActive,
  is_superuser: user.isSuperuser,
});

/** The superuser routes: turns requests into UsersModule calls and results into the seed's answers. */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly administration: UserAdministrationService,
    private readonly directory: UserDirectoryService,
  ) {}

  async listUsers(query: ListUsersQueryDto): Promise<UserListDto> {
    const sortParam = query.sort ?? 'created_at';
    const sort = sortParam.replace(/^-/, '') as SortField;
    const descending = sortParam.startsWith('-');
    let after: { value: string; id: string } | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, ['s', 'v', 'i'] as const);
      if (cursor.s !== sortParam) throw new AppError('INVALID_QUERY', 'Invalid cursor');
      if (sortParam.endsWith('created_at') && !PG_TIMESTAMPTZ.test(cursor.v))
        throw new AppError('INVALID_QUERY', 'Invalid cursor');
      after = { value: cursor.v, id: normaliseCursorId(cursor.i) };
    }
    const limit = query.limit ?? 100;
    const result = await this.directory.list({
      q: query.q,
      status: query.status,
      isSuperuser: query.is_superuser,
      sort,
      descending,
      limit,
      after,
    });
    const last = result.rows[result.rows.length - 1];
    return {
      users: result.rows.map((row) => ({
        id: row.id,
        username: row.username,
        email: row.email,
        is_active: row.is_active,
        is_superuser: row.is_superuser,
        is_verified: row.is_verified,
        is_approved: row.is_approved,
        approval_status: row.approval_status,
        approval_note: row.approval_note,
        institution: row.institution,
        approved_by: row.approved_by,
        approved_at: isoOrNull(row.approved_at),
        created_at: row.created_at.toISOString(),
      })),
      total: result.total,
      superusers: result.superusers,
      active_users: result.activeUsers,
      next_cursor: result.hasMore && last ? encodeCursor({ s: sortParam, v: last.sort_value, i: last.id }) : null,
    };
  }

  async createUser(actor: Actor, dto: AdminCreateUserDto, context: RequestContext): Promise<UserMessageDto> {
    const isSuperuser = dto.is_superuser ?? false;
    const isActive = dto.is_active ?? true;
    const user = await this.users.create(
      {
        email: dto.email,
        username: dto.username,
        password: dto.password,
        approvalNote: 'Created by admin',
        institution: 'Admin created',
      },
      {
        origin: { admin: actor, isActive, isSuperuser },
        context,
        duplicate: new AppError('USER_ALREADY_EXISTS', 'USER_ALREADY_EXISTS'),
        within: (manager, created) => this.users.recordAdminCreation(manager, actor, created, context),
      },
    );
    return { message: 'User created successfully', user: summary(user) };
  }

  async updateUser(actor: Actor, userId: string, body: AdminUpdateUserDto, context: RequestContext): Promise<UserMessageDto> {
    // As in the seed, a field sent as null is left unchanged.
    const changes: UserChanges = Object.fromEntries(
      Object.entries(body).filter(([, value]) => value !== null && value !== undefined),
    );
    const user = await this.administration.update(actor, userId, changes, context);
    return { message: 'User updated successfully', user: summary(user) };
  }

  async promote(
    actor: Actor,
    userId: string,
    body: { reason?: string | null; user_id?: string },
    context: RequestContext,
  ): Promise<UserMessageDto> {
    this.assertBodyIdMatches(userId, body.user_id);
    const user = await this.administration.promote(actor, userId, body.reason ?? null, context);
    return { message: `User '${user.username}' promoted to superuser successfully`, user: summary(user) };
  }

  async demote(
    actor: Actor,
    userId: string,
    body: { reason?: string | null; user_id?: string },
    context: RequestContext,
  ): Promise<UserMessageDto> {
    this.assertBodyIdMatches(userId, body.user_id);
    const user = await this.administration.demote(actor, userId, body.reason ?? null, context);
    return { message: `User '${user.username}' demoted from superuser successfully`, user: summary(user) };
  }

  async deleteUser(actor: Actor, userId: string, context: RequestContext): Promise<MessageDto> {
    const user = await this.administration.remove(actor, userId, context);
    return { message: `User '${user.username}' deleted successfully` };
  }

  async stats(): Promise<StatsDto> {
    const stats = await this.directory.stats();
    return {
      total_users: stats.total,
      active_users: stats.active,
      inactive_users: stats.total - stats.active,
      superusers: stats.superusers,
      regular_users: stats.total - stats.superusers,
      pending_approvals: stats.pending,
      rejected_users: stats.rejected,
      system_info: { first_user_created: stats.total > 0, has_superusers: stats.superusers > 0 },
    };
  }

  async pendingApprovals(): Promise<PendingApprovalsDto> {
    const rows = await this.directory.pending();
    return {
      pending_users: rows.map((row) => ({
        id: row.id,
        username: row.username,
        email: row.email,
        approval_note: row.approval_note,
        institution: row.institution,
        created_at: row.created_at.toISOString(),
        is_active: row.is_active,
      })),
      count: rows.length,
    };
  }

  async decide(
    actor: Actor,
    userId: string,
    approved: boolean,
    reason: string | null,
    context: RequestContext,
  ): Promise<ApprovalResultDto> {
    const user = await this.administration.decide(actor, userId, approved, reason, context);
    return {
      message: `User '${user.username}' ${approved ? 'approved' : 'rejected'} successfully`,
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        is_approved: user.isApproved,
        is_active: user.isActive,
        approved_by: user.approvedBy,
        approved_at: isoOrNull(user.approvedAt),
      },
    };
  }

  private assertBodyIdMatches(pathId: string, bodyId: string | undefined): void {
    if (bodyId === undefined) return;
    let normalised: string | undefined;
    try {
      normalised = normaliseUserId(bodyId);
    } catch {
      normalised = undefined;
    }
    if (normalised !== pathId) throw new AppError('USER_ID_MISMATCH', 'user_id in the body does not match the path');
  }
}

function normaliseCursorId(id: string): string {
  try {
    return normaliseUserId(id);
  } catch {
    throw new AppError('INVALID_QUERY', 'Invalid cursor');
  }
}
