import type { INestApplicationContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdminCreateUserDto } from '../../admin/dto/admin-requests.dto';
import { AuditService } from '../../audit/audit.service';
import { AppError } from '../../common/errors/app-error';
import { passwordProblem } from '../../users/password-policy';
import { User } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { CLI_USER_AGENT, CliError, out, readPassword, UsageError } from '../cli-io';
import { CommandHandler, ParsedArgs } from '../command';

/**
 * UsersService.create wants the approving admin; there is none here. This placeholder never
 * reaches a committed row: the creating transaction sets `approved_by` back to null, as for the
 * first user.
 */
const NO_ADMIN = { id: '00000000-0000-0000-0000-000000000000', username: 'cli' };

interface Target {
  username: string;
  email: string;
  promoteExisting: boolean;
}

function target(args: ParsedArgs): Target {
  return {
    username: args.values.username as string,
    email: args.values.email as string,
    promoteExisting: args.values['promote-existing'] === true,
  };
}

/** The same rules as POST /admin/users (the password is checked once it is read). */
function validate(args: ParsedArgs): void {
  const { username, email } = args.values;
  const dto = plainToInstance(AdminCreateUserDto, { username, email, password: 'x' });
  const problems = validateSync(dto)
    .filter((error) => error.property === 'username' || error.property === 'email')
    .flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new UsageError(problems.join('; '), 'create-superuser');
}

async function promote(app: INestApplicationContext, id: string): Promise<void> {
  const audit = app.get(AuditService);
  const result = await app.get(DataSource).transaction(async (manager) => {
    const user = await manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new CliError('the account disappeared while it was being promoted; run the command again');
    const changes: Record<string, { old: unknown; new: unknown }> = {};
    const patch: Partial<User> = {};
    const set = <K extends keyof User>(key: K, label: string, value: User[K]) => {
      if (user[key] !== value) {
        changes[label] = { old: user[key], new: value };
        patch[key] = value;
      }
    };
    set('isSuperuser', 'is_superuser', true);
    set('isActive', 'is_active', true);
    set('isApproved', 'is_approved', true);
    set('approvalStatus', 'approval_status', 'approved');
    const locked = user.failedLoginCount > 0 || user.lockedUntil !== null;
    if (locked) Object.assign(patch, { failedLoginCount: 0, lockedUntil: null });
    if (user.approvalStatus !== 'approved')
      Object.assign(patch, { approvedAt: new Date(), approvedBy: null, rejectionReason: null });
    if (Object.keys(patch).length === 0) return { user, changed: false, locked };

    await manager.update(User, { id }, patch);
    await audit.record(manager, {
      eventType: 'admin_user_promotion',
      actor: null,
      target: { id: user.id, username: user.username },
      userAgent: CLI_USER_AGENT,
      details: { source: 'cli', reason: 'create-superuser --promote-existing', changes, lockout_cleared: locked },
    });
    return { user, changed: true, locked };
  });
  const label = `'${result.user.username}' (${result.user.id})`;
  if (!result.changed) {
    out(`${label} is already an active, approved superuser: nothing changed.`);
    return;
  }
  out(`${label} is now an active, approved superuser${result.locked ? '; its login lockout was cleared' : ''}.`);
  out(`Its password is unchanged; to set a new one: reset-password ${result.user.username}`);
}

async function create(app: INestApplicationContext, { username, email }: Target): Promise<void> {
  const password = await readPassword(`Password for ${username}: `);
  const problem = passwordProblem(password, username, email);
  if (problem) throw new CliError(`${problem}; nothing was created`);
  const audit = app.get(AuditService);
  const user = await app.get(UsersService).create(
    { username, email, password },
    {
      origin: { admin: NO_ADMIN, isActive: true, isSuperuser: true },
      context: { ip: null, userAgent: CLI_USER_AGENT, requestId: randomUUID() },
      duplicate: new AppError('USER_ALREADY_EXISTS', 'a user with this username or email was created meanwhile'),
      within: async (manager, created) => {
        await manager.update(User, { id: created.id }, { approvedBy: null });
        await audit.record(manager, {
          eventType: 'admin_user_creation',
          actor: null,
          target: { id: created.id, username: created.username },
          userAgent: CLI_USER_AGENT,
          details: { source: 'cli', email: created.email, is_superuser: true, is_active: true },
        });
      },
    },
  );
  out(`Superuser '${user.username}' <${user.email}> created (id ${user.id}), approved and active.`);
}

export const createSuperuser: CommandHandler = {
  validate,
  async run(app, args) {
    const wanted = target(args);
    const matches: Array<Pick<User, 'id' | 'username' | 'email'>> = await app.get(DataSource).query(
      `SELECT id, username, email FROM users
        WHERE lower(username) IN (lower($1), lower($2)) OR lower(email) IN (lower($1), lower($2))
        ORDER BY created_at`,
      [wanted.username, wanted.email],
    );
    if (matches.length === 0) {
      await create(app, wanted);
      return 0;
    }
    const found = matches.map((user) => `'${user.username}' <${user.email}>`).join(' and ');
    if (!wanted.promoteExisting) {
      throw new CliError(
        `the username or email is taken by ${found}; add --promote-existing to make that account a superuser, ` +
          'or use reset-password to give it a new password',
      );
    }
    if (matches.length > 1) {
      throw new CliError(`the username and the email belong to different accounts (${found}); name one account`);
    }
    await promote(app, matches[0].id);
    return 0;
  },
};
