import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, encodeCursor, PG_TIMESTAMPTZ } from '../common/http/cursor';
import { normaliseUserId } from '../common/http/parse-user-id.pipe';
import { RequestContext } from '../common/http/request-context';
import { toSessionView } from '../sessions/session.mappers';
import { SessionsService } from '../sessions/sessions.service';
import { ApprovalsService } from '../users/approvals.service';
import { SuperuserActionsService } from '../users/superuser-actions.service';
import { TrustedDomainsService } from '../users/trusted-domains.service';
import type { UserChanges } from '../users/user-changes';
import { toApprovalUser, toPendingUser, toTrustedDomain, toUserRead, toUserSummary } from '../users/user.mappers';
import { Actor, UsersService } from '../users/users.service';
import type { KeysetPosition, SortField } from '../users/users.repository.types';
import { TrustedDomainDto } from '../users/dto/trusted-domain.dto';
import {
  AdminCreateUserDto,
  AdminUpdateUserDto,
  BulkApprovalDto,
  ListUsersQueryDto,
  PendingQueryDto,
  TrustedDomainCreateDto,
} from './dto/admin-requests.dto';
import {
  ApprovalResultDto,
  BulkApprovalResultDto,
  MessageDto,
  PendingApprovalsDto,
  RevokedSessionsDto,
  StatsDto,
  TrustedDomainListDto,
  UserListDto,
  UserMessageDto,
  UserSessionsDto,
} from './dto/admin-responses.dto';

/** The tag of pending-queue cursors (list cursors carry their sort there). */
const PENDING_CURSOR = 'pending';

/**
 * Between the admin routes and the users rules: turns requests into calls of the users module and
 * its answers into the original system's response shapes.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly actions: SuperuserActionsService,
    private readonly trustedDomains: TrustedDomainsService,
    private readonly sessions: SessionsService,
    private readonly approvals: ApprovalsService,
  ) {}

  async listUsers(query: ListUsersQueryDto): Promise<UserListDto> {
    const sortParam = query.sort ?? 'created_at';
    const result = await this.users.list({
      q: query.q,
      status: query.status,
      isSuperuser: query.is_superuser,
      sort: sortParam.replace(/^-/, '') as SortField,
      descending: sortParam.startsWith('-'),
      limit: query.limit ?? 100,
      after: query.cursor === undefined ? undefined : keysetCursor(query.cursor, sortParam, sortParam.endsWith('created_at')),
    });
    return {
      users: result.users.map(toUserRead),
      total: result.total,
      superusers: result.superusers,
      active_users: result.activeUsers,
      next_cursor: result.nextAfter ? encodeCursor({ s: sortParam, v: result.nextAfter.value, i: result.nextAfter.id }) : null,
    };
  }

  async createUser(actor: Actor, dto: AdminCreateUserDto, context: RequestContext): Promise<UserMessageDto> {
    const user = await this.actions.create(
      actor,
      {
        email: dto.email,
        username: dto.username,
        password: dto.password,
        approvalNote: 'Created by admin',
        institution: 'Admin created',
      },
      { isActive: dto.is_active ?? true, isSuperuser: dto.is_superuser ?? false },
      context,
    );
    return { message: 'User created successfully', user: toUserSummary(user) };
  }

  async updateUser(actor: Actor, userId: string, body: AdminUpdateUserDto, context: RequestContext): Promise<UserMessageDto> {
    // As in the original system, a field sent as null is left unchanged.
    const changes: UserChanges = Object.fromEntries(
      Object.entries(body).filter(([, value]) => value !== null && value !== undefined),
    );
    const user = await this.actions.update(actor, userId, changes, context);
    return { message: 'User updated successfully', user: toUserSummary(user) };
  }

  async promote(
    actor: Actor,
    userId: string,
    body: { reason?: string | null; user_id?: string },
    context: RequestContext,
  ): Promise<UserMessageDto> {
    assertBodyIdMatches(userId, body.user_id);
    const { user } = await this.actions.promote(actor, userId, { reason: body.reason ?? null }, context);
    return { message: `User '${user.username}' promoted to superuser successfully`, user: toUserSummary(user) };
  }

  async demote(
    actor: Actor,
    userId: string,
    body: { reason?: string | null; user_id?: string },
    context: RequestContext,
  ): Promise<UserMessageDto> {
    assertBodyIdMatches(userId, body.user_id);
    const user = await this.actions.demote(actor, userId, body.reason ?? null, context);
    return { message: `User '${user.username}' demoted from superuser successfully`, user: toUserSummary(user) };
  }

  async unlock(actor: Actor, userId: string, context: RequestContext): Promise<MessageDto> {
    const user = await this.actions.unlock(actor, userId, context);
    return { message: `User '${user.username}' unlocked` };
  }

  async deleteUser(actor: Actor, userId: string, context: RequestContext): Promise<MessageDto> {
    const user = await this.actions.remove(actor, userId, context);
    return { message: `User '${user.username}' deleted successfully` };
  }

  async stats(): Promise<StatsDto> {
    const counts = await this.users.counts();
    return {
      total_users: counts.total,
      active_users: counts.active,
      inactive_users: counts.total - counts.active,
      superusers: counts.superusers,
      regular_users: counts.total - counts.superusers,
      pending_approvals: counts.pending,
      rejected_users: counts.rejected,
      system_info: { first_user_created: counts.total > 0, has_superusers: counts.superusers > 0 },
    };
  }

  /** The pending queue, oldest first, each user with the trusted domain its address falls under. */
  async pendingApprovals(query: PendingQueryDto): Promise<PendingApprovalsDto> {
    const page = await this.users.pendingQueue({
      q: query.q,
      institution: query.institution,
      limit: query.limit ?? 100,
      after: query.cursor === undefined ? undefined : keysetCursor(query.cursor, PENDING_CURSOR, true),
    });
    const matches = await this.trustedDomains.findMatches(page.users.map((user) => user.email));
    return {
      pending_users: page.users.map((user, index) => toPendingUser(user, matches[index]?.domain ?? null)),
      count: page.count,
      next_cursor: page.nextAfter ? encodeCursor({ s: PENDING_CURSOR, v: page.nextAfter.value, i: page.nextAfter.id }) : null,
    };
  }

  async decide(
    actor: Actor,
    userId: string,
    approved: boolean,
    reason: string | null,
    context: RequestContext,
  ): Promise<ApprovalResultDto> {
    const user = await this.approvals.decide(actor, userId, approved, reason, context);
    return {
      message: `User '${user.username}' ${approved ? 'approved' : 'rejected'} successfully`,
      user: toApprovalUser(user),
    };
  }

  /** docs/API.md §10 Administration, bulk approve: one result per distinct id, in the order first given. */
  async bulkDecide(actor: Actor, body: BulkApprovalDto, context: RequestContext): Promise<BulkApprovalResultDto> {
    const ids = body.user_ids.map((id) => normaliseUserId(id));
    return { results: await this.approvals.decideMany(actor, ids, body.approved, body.reason ?? null, context) };
  }

  async userSessions(userId: string): Promise<UserSessionsDto> {
    if (!(await this.users.findById(userId))) throw new AppError('USER_NOT_FOUND', 'User not found');
    return { sessions: (await this.sessions.listLive(userId)).map(toSessionView) };
  }

  async revokeUserSessions(actor: Actor, userId: string, context: RequestContext): Promise<RevokedSessionsDto> {
    return { revoked: await this.actions.revokeSessions(actor, userId, context) };
  }

  async trustedDomainList(): Promise<TrustedDomainListDto> {
    return { domains: (await this.trustedDomains.list()).map(toTrustedDomain) };
  }

  async addTrustedDomain(actor: Actor, body: TrustedDomainCreateDto, context: RequestContext): Promise<TrustedDomainDto> {
    return toTrustedDomain(await this.trustedDomains.add(actor, body.domain, body.institution ?? null, context));
  }

  async removeTrustedDomain(actor: Actor, domain: string, context: RequestContext): Promise<void> {
    await this.trustedDomains.remove(actor, domain, context);
  }
}

/** A cursor is only good for the list and sort it was made for (`tag`); `timestamp`: its value is a creation time. */
function keysetCursor(cursor: string, tag: string, timestamp: boolean): KeysetPosition {
  const position = decodeCursor(cursor, ['s', 'v', 'i'] as const);
  if (position.s !== tag) throw new AppError('INVALID_QUERY', 'Invalid cursor');
  if (timestamp && !PG_TIMESTAMPTZ.test(position.v)) throw new AppError('INVALID_QUERY', 'Invalid cursor');
  try {
    return { value: position.v, id: normaliseUserId(position.i) };
  } catch {
    throw new AppError('INVALID_QUERY', 'Invalid cursor');
  }
}

function assertBodyIdMatches(pathId: string, bodyId: string | undefined): void {
  if (bodyId === undefined) return;
  let normalised: string | undefined;
  try {
    normalised = normaliseUserId(bodyId);
  } catch {
    normalised = undefined;
  }
  if (normalised !== pathId) throw new AppError('USER_ID_MISMATCH', 'user_id in the body does not match the path');
}
