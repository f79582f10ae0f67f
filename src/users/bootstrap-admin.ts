import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { emailProblem, usernameProblem } from './identity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Any fixed 64-bit number: the advisory lock under which instances decide who creates the admin. */
const BOOTSTRAP_LOCK = '7449363237540422962';

class AlreadyBootstrapped extends Error {}

/**
 * With BOOTSTRAP_ADMIN_USERNAME, _EMAIL and _PASSWORD set, that superuser is created at start
 * when no active superuser exists (docs/API.md §2 Users and their states). Idempotent, and safe
 * when several instances start at once: the decision is taken under an advisory lock. An account
 * that already holds the username or email is never promoted by this (the CLI's
 * `create-superuser --promote-existing` is the deliberate way).
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');

  constructor(
    private readonly users: UsersService,
    private readonly repository: UsersRepository,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
  }

  async ensure(): Promise<'created' | 'exists' | 'conflict' | 'off'> {
    const wanted = this.config.bootstrapAdmin;
    if (!wanted) return 'off';
    const problem = usernameProblem(wanted.username) ?? emailProblem(wanted.email);
    if (problem) throw new Error(`BOOTSTRAP_ADMIN_*: ${problem}`);
    if ((await this.repository.countActiveSuperusers()) > 0) return 'exists';
    try {
      const user = await this.users.create(
        { username: wanted.username, email: wanted.email, password: wanted.password },
        { kind: 'operator', source: 'bootstrap' },
        {
          context: { ip: null, userAgent: 'gatehouse-bootstrap', requestId: 'bootstrap' },
          duplicate: () => new AppError('USER_ALREADY_EXISTS', 'USER_ALREADY_EXISTS'),
          transaction: (work) =>
            this.repository.transaction(async (manager) => {
              await this.repository.advisoryLock(manager, BOOTSTRAP_LOCK);
              if ((await this.repository.countActiveSuperusers(manager)) > 0) throw new AlreadyBootstrapped();
              return work(manager);
            }),
        },
      );
      this.logger.log(`bootstrap superuser '${user.username}' created`);
      return 'created';
    } catch (error) {
      if (error instanceof AlreadyBootstrapped) return 'exists';
      if (error instanceof AppError && error.code === 'REGISTER_INVALID_PASSWORD') {
        throw new Error(`BOOTSTRAP_ADMIN_PASSWORD: ${(error.detail as { reason: string }).reason}`, { cause: error });
      }
      if (!(error instanceof AppError && error.code === 'USER_ALREADY_EXISTS')) throw error;
      if ((await this.repository.countActiveSuperusers()) > 0) return 'exists';
      this.logger.error(
        'BOOTSTRAP_ADMIN_USERNAME or BOOTSTRAP_ADMIN_EMAIL belongs to an existing account that is not an active ' +
          'superuser; it was not promoted. Promote it with the CLI (create-superuser --promote-existing) or choose other values.',
      );
      return 'conflict';
    }
  }
}
