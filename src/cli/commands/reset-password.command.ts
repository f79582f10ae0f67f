import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { PasswordHasher } from '../../auth/password/password-hasher.service';
import { SessionsService } from '../../auth/sessions/sessions.service';
import { passwordProblem } from '../../users/password-policy';
import { User } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { CLI_USER_AGENT, CliError, note, out, readPassword } from '../cli-io';
import { CommandHandler } from '../command';

/**
 * Sets a new password (argon2id, the password policy applies), ends every session of the user,
 * clears a login lockout and records `password_reset`, all in one transaction.
 */
export const resetPassword: CommandHandler = {
  async run(app, args) {
    const identifier = args.positionals[0];
    const found = await app.get(UsersService).findByLogin(identifier);
    if (!found) throw new CliError(`no user has the username or email '${identifier}'`);
    const password = await readPassword(`New password for ${found.username}: `);
    const problem = passwordProblem(password, found.username, found.email);
    if (problem) throw new CliError(`${problem}; the password was not changed`);
    const hashedPassword = await app.get(PasswordHasher).hash(password);

    const sessions = app.get(SessionsService);
    const audit = app.get(AuditService);
    const { user, ended } = await app.get(DataSource).transaction(async (manager) => {
      const locked = await manager.findOne(User, { where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw new CliError(`the user '${found.username}' was deleted meanwhile`);
      const lockoutCleared = locked.failedLoginCount > 0 || locked.lockedUntil !== null;
      await manager.update(User, { id: locked.id }, { hashedPassword, failedLoginCount: 0, lockedUntil: null });
      const revoked = await sessions.revokeAllForUser(manager, locked.id, 'password_reset');
      const target = { id: locked.id, username: locked.username };
      await audit.record(manager, {
        eventType: 'password_reset',
        actor: null,
        target,
        userAgent: CLI_USER_AGENT,
        details: { source: 'cli', sessions_ended: revoked, lockout_cleared: lockoutCleared },
      });
      if (revoked > 0) {
        await audit.record(manager, {
          eventType: 'session_revoked',
          actor: null,
          target,
          userAgent: CLI_USER_AGENT,
          details: { reason: 'password_reset', sessions: revoked },
        });
      }
      return { user: locked, ended: revoked };
    });

    out(`Password of '${user.username}' (${user.id}) changed; ${ended} session(s) ended.`);
    if (user.approvalStatus !== 'approved')
      note(`note: the account is ${user.approvalStatus}, so it cannot log in until approved`);
    else if (!user.isActive) note('note: the account is inactive, so it cannot log in until activated');
    return 0;
  },
};
