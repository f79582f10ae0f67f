import { AppError } from '../../common/errors/app-error';
import { CredentialsService } from '../../users/credentials.service';
import { UsersService } from '../../users/users.service';
import { cliContext, CliError, note, out, readPassword } from '../cli-io';
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
    const { user, sessionsEnded } = await app
      .get(CredentialsService)
      .resetPassword(found.id, password, cliContext(), 'cli')
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        if (error.code === 'USER_NOT_FOUND') throw new CliError(`the user '${found.username}' was deleted meanwhile`);
        const reason = (error.detail as { reason?: string }).reason ?? error.message;
        throw new CliError(`${reason}; the password was not changed`);
      });

    out(`Password of '${user.username}' (${user.id}) changed; ${sessionsEnded} session(s) ended.`);
    if (user.approvalStatus !== 'approved')
      note(`note: the account is ${user.approvalStatus}, so it cannot log in until approved`);
    else if (!user.isActive) note('note: the account is inactive, so it cannot log in until activated');
    return 0;
  },
};
