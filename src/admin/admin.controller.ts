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
import { AdminService } from './admin.service';
import { AdminCreateUserDto, AdminUpdateUserDto, ApprovalDto, ListUsersQueryDto, RoleChangeDto } from './dto/admin-requests.dto';
import {
  ApprovalResultDto,
  MessageDto,
  PendingApprovalsDto,
  StatsDto,
  UserListDto,
  UserMessageDto,
} from './dto/admin-responses.dto';

const actorOf = (principal: AuthPrincipal) => ({ id: principal.id, username: principal.username });
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
  @ApiOperation({ operationId: 'adminPendingApprovals', summary: 'Registrations waiting for a decision, oldest first' })
  @ApiResponse({ status: 200, type: PendingApprovalsDto })
  pendingApprovals(): Promise<PendingApprovalsDto> {
    return this.admin.pendingApprovals();
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
