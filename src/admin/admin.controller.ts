import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ParseUserIdPipe } from '../common/http/parse-user-id.pipe';
import { ClientContext, RequestContext } from '../common/http/request-context';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { CurrentUser } from '../sessions/current-user.decorator';
import { SuperuserOnly } from '../sessions/superuser-only.decorator';
import { actorOf } from './actor-of';
import { AdminService } from './admin.service';
import {
  AdminCreateUserDto,
  AdminUpdateUserDto,
  ApprovalDto,
  BulkApprovalDto,
  ListUsersQueryDto,
  PendingQueryDto,
  RoleChangeDto,
} from './dto/admin-requests.dto';
import {
  ApprovalResultDto,
  BulkApprovalResultDto,
  MessageDto,
  PendingApprovalsDto,
  RevokedSessionsDto,
  StatsDto,
  UserListDto,
  UserMessageDto,
  UserSessionsDto,
} from './dto/admin-responses.dto';

const BAD_ID = 'Invalid user ID format';

const UpdateUserDocs = (operationId: string, summary: string) =>
  applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({ operationId, summary }),
    ApiResponse({ status: 200, type: UserMessageDto }),
    ApiBadRequestResponse({ description: `${BAD_ID}; Cannot demote yourself; Cannot deactivate yourself` }),
    ApiNotFoundResponse({ description: 'User not found' }),
    ApiConflictResponse({ description: 'USER_ALREADY_EXISTS or LAST_SUPERUSER' }),
    ApiUnprocessableEntityResponse({ description: 'Body validation error (only the four fields are accepted)' }),
  );

@ApiTags('admin')
@SuperuserOnly()
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('users')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminListUsers', summary: 'Search, filter and page through users' })
  @ApiResponse({ status: 200, type: UserListDto })
  @ApiBadRequestResponse({ description: 'Bad query parameter or cursor' })
  listUsers(@Query() query: ListUsersQueryDto): Promise<UserListDto> {
    return this.admin.listUsers(query);
  }

  @Post('users')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ operationId: 'adminCreateUser', summary: 'Create an approved user (active unless told otherwise)' })
  @ApiResponse({ status: 201, type: UserMessageDto })
  @ApiBadRequestResponse({ description: 'REGISTER_INVALID_PASSWORD' })
  @ApiConflictResponse({ description: 'USER_ALREADY_EXISTS' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  @ApiResponse({ status: 503, description: 'User storage unavailable; nothing was created' })
  createUser(
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: AdminCreateUserDto,
    @ClientContext() context: RequestContext,
  ): Promise<UserMessageDto> {
    return this.admin.createUser(actorOf(principal), dto, context);
  }

  @Put('users/:user_id')
  @UpdateUserDocs('adminUpdateUser', 'Update username, email, is_active or is_superuser')
  updateUser(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: AdminUpdateUserDto,
    @ClientContext() context: RequestContext,
  ): Promise<UserMessageDto> {
    return this.admin.updateUser(actorOf(principal), userId, dto, context);
  }

  // The original system's PUT, also as PATCH: same body, same answers (Nest binds one verb per handler).
  @Patch('users/:user_id')
  @UpdateUserDocs('adminPatchUser', 'Same as PUT')
  patchUser(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: AdminUpdateUserDto,
    @ClientContext() context: RequestContext,
  ): Promise<UserMessageDto> {
    return this.updateUser(userId, principal, dto, context);
  }

  @Post('users/:user_id/promote')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminPromoteUser', summary: 'Make a user superuser' })
  @ApiResponse({ status: 200, type: UserMessageDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}; User is already a superuser; user_id does not match the path` })
  @ApiNotFoundResponse({ description: 'User not found' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  promote(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: RoleChangeDto,
    @ClientContext() context: RequestContext,
  ): Promise<UserMessageDto> {
    return this.admin.promote(actorOf(principal), userId, dto, context);
  }

  @Post('users/:user_id/demote')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminDemoteUser', summary: 'Take superuser rights away' })
  @ApiResponse({ status: 200, type: UserMessageDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}; User is not a superuser; Cannot demote yourself` })
  @ApiNotFoundResponse({ description: 'User not found' })
  @ApiConflictResponse({ description: 'LAST_SUPERUSER' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  demote(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: RoleChangeDto,
    @ClientContext() context: RequestContext,
  ): Promise<UserMessageDto> {
    return this.admin.demote(actorOf(principal), userId, dto, context);
  }

  @Post('users/:user_id/unlock')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminUnlockUser', summary: 'Clear every login lockout of the account (all addresses)' })
  @ApiResponse({ status: 200, type: MessageDto })
  @ApiBadRequestResponse({ description: BAD_ID })
  @ApiNotFoundResponse({ description: 'User not found' })
  unlock(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @ClientContext() context: RequestContext,
  ): Promise<MessageDto> {
    return this.admin.unlock(actorOf(principal), userId, context);
  }

  @Delete('users/:user_id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminDeleteUser', summary: 'Delete a user; its storage tree is archived under deleted/' })
  @ApiResponse({ status: 200, type: MessageDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}; Cannot delete yourself` })
  @ApiNotFoundResponse({ description: 'User not found' })
  @ApiConflictResponse({ description: 'LAST_SUPERUSER' })
  deleteUser(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @ClientContext() context: RequestContext,
  ): Promise<MessageDto> {
    return this.admin.deleteUser(actorOf(principal), userId, context);
  }

  @Get('stats')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminStats', summary: 'User counts (one aggregate query)' })
  @ApiResponse({ status: 200, type: StatsDto })
  stats(): Promise<StatsDto> {
    return this.admin.stats();
  }

  @Get('pending-approvals')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'adminPendingApprovals',
    summary: 'Registrations waiting for a decision, oldest first, filtered and paged',
  })
  @ApiResponse({ status: 200, type: PendingApprovalsDto })
  @ApiBadRequestResponse({ description: 'Bad query parameter or cursor' })
  pendingApprovals(@Query() query: PendingQueryDto): Promise<PendingApprovalsDto> {
    return this.admin.pendingApprovals(query);
  }

  @Post('users/bulk-approve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'adminBulkApprove',
    summary: 'Approve or reject up to 500 registrations at once; one outcome per distinct id',
  })
  @ApiResponse({ status: 200, type: BulkApprovalResultDto })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error (a malformed id refuses the whole request)' })
  bulkApprove(
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: BulkApprovalDto,
    @ClientContext() context: RequestContext,
  ): Promise<BulkApprovalResultDto> {
    return this.admin.bulkDecide(actorOf(principal), dto, context);
  }

  @Get('users/:user_id/sessions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminListUserSessions', summary: "A user's live sessions, newest first" })
  @ApiResponse({ status: 200, type: UserSessionsDto })
  @ApiBadRequestResponse({ description: BAD_ID })
  @ApiNotFoundResponse({ description: 'User not found' })
  userSessions(@Param('user_id', ParseUserIdPipe) userId: string): Promise<UserSessionsDto> {
    return this.admin.userSessions(userId);
  }

  @Delete('users/:user_id/sessions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'adminRevokeUserSessions',
    summary: 'End every live session of a user (its tokens stop working at once)',
  })
  @ApiResponse({ status: 200, type: RevokedSessionsDto })
  @ApiBadRequestResponse({ description: BAD_ID })
  @ApiNotFoundResponse({ description: 'User not found' })
  revokeUserSessions(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @ClientContext() context: RequestContext,
  ): Promise<RevokedSessionsDto> {
    return this.admin.revokeUserSessions(actorOf(principal), userId, context);
  }

  @Post('users/:user_id/approve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'adminApproveUser',
    summary: 'Approve (approved: true) or reject (approved: false) a registration',
  })
  @ApiResponse({ status: 200, type: ApprovalResultDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}; User is already approved` })
  @ApiNotFoundResponse({ description: 'User not found' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  approve(
    @Param('user_id', ParseUserIdPipe) userId: string,
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: ApprovalDto,
    @ClientContext() context: RequestContext,
  ): Promise<ApprovalResultDto> {
    return this.admin.decide(actorOf(principal), userId, dto.approved, dto.reason ?? null, context);
  }
}
