import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AdminCreateUserDto } from '../../admin/dto/admin-requests.dto';
import { AppError } from '../../common/errors/app-error';
import { SuperuserActionsService } from '../../users/superuser-actions.service';
import { UsersService } from '../../users/users.service';
import { cliContext, CliError, out, readPassword, UsageError } from '../cli-io';
import { CommandHandler, ParsedArgs } from '../command';

/** The same rules as POST /admin/users (the password is checked once it is read). */
function validate(args: ParsedArgs): void {
  const { username, email } = args.values;
  const dto = plainToInstance(AdminCreateUserDto, { username, email, password: 'x' });
  const problems = validateSync(dto)
    .filter((error) => error.property === 'username' || error.property === 'email')
    .flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new UsageError(problems.join('; '), 'create-superuser');
}

export const createSuperuser: CommandHandler = {
  validate,
  async run(app, args) {
    const username = args.values.username as string;
    const email = args.values.email as string;
    const users = app.get(UsersService);
    const holders = await users.identifierHolders(username, email);

    if (holders.length === 0) {
      const password = await readPassword(`Password for ${username}: `);
      try {
        const user = await users.create(
          { username, email, password },
          { kind: 'operator', source: 'cli' },
          {
            context: cliContext(),
            duplicate: () => new AppError('USER_ALREADY_EXISTS', 'a user with this username or email was created meanwhile'),
          },
        );
        out(`Superuser '${user.username}' <${user.email}> created (id ${user.id}), approved and active.`);
        return 0;
      } catch (error) {
        const reason = error instanceof AppError ? (error.detail as { reason?: string }).reason : undefined;
        if (reason) throw new CliError(`${reason}; nothing was created`);
        throw error;
      }
    }

    const found = holders.map((user) => `'${user.username}' <${user.email}>`).join(' and ');
    if (args.values['promote-existing'] !== true) {
      throw new CliError(
        `the username or email is taken by ${found}; add --promote-existing to make that account a superuser, ` +
          'or use reset-password to give it a new password',
      );
    }
    if (holders.length > 1) {
      throw new CliError(`the username and the email belong to different accounts (${found}); name one account`);
    }
    const promotion = await app
      .get(SuperuserActionsService)
      .promote(null, holders[0].id, { reason: 'create-superuser --promote-existing', recover: true, source: 'cli' }, cliContext())
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'USER_NOT_FOUND') {
          throw new CliError('the account disappeared while it was being promoted; run the command again');
        }
        throw error;
      });
    const label = `'${promotion.user.username}' (${promotion.user.id})`;
    if (!promotion.changed) {
      out(`${label} is already an active, approved superuser: nothing changed.`);
      return 0;
    }
    out(`${label} is now an active, approved superuser${promotion.lockoutCleared ? '; its login lockout was cleared' : ''}.`);
    out(`Its password is unchanged; to set a new one: reset-password ${promotion.user.username}`);
    return 0;
  },
};
