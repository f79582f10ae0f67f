import type { User } from '../../users/user.entity';
import type { KeysetPosition } from '../../users/users.repository.types';
import { UsersService } from '../../users/users.service';
import { out } from '../cli-io';
import { CommandHandler } from '../command';

const PAGE = 1000;

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

export const listUsers: CommandHandler = {
  async run(app, args) {
    const service = app.get(UsersService);
    const users: User[] = [];
    let after: KeysetPosition | undefined;
    for (;;) {
      const page = await service.list({ sort: 'created_at', descending: false, limit: PAGE, after });
      users.push(...page.users);
      if (!page.nextAfter) break;
      after = page.nextAfter;
    }

    if (args.values.json) {
      const listed = users.map((user) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        status: user.approvalStatus,
        is_superuser: user.isSuperuser,
        is_active: user.isActive,
        is_approved: user.isApproved,
        institution: user.institution,
        approved_by: user.approvedBy,
        approved_at: iso(user.approvedAt),
        created_at: iso(user.createdAt),
      }));
      out(JSON.stringify(listed, null, 2));
      return 0;
    }
    if (users.length === 0) {
      out('No users. Create the first superuser with: create-superuser --username <name> --email <email>');
      return 0;
    }
    const yesNo = (value: boolean) => (value ? 'yes' : 'no');
    const lines = table([
      ['ID', 'USERNAME', 'EMAIL', 'STATUS', 'SUPERUSER', 'ACTIVE', 'CREATED_AT'],
      ...users.map((user) => [
        user.id,
        user.username,
        user.email,
        user.approvalStatus,
        yesNo(user.isSuperuser),
        yesNo(user.isActive),
        (iso(user.createdAt) ?? '').replace(/\.\d{3}Z$/, 'Z'),
      ]),
    ]);
    for (const line of lines) out(line);
    const count = (predicate: (user: User) => boolean) => users.filter(predicate).length;
    out(
      `${users.length} user(s): ${count((u) => u.isSuperuser)} superuser(s), ${count((u) => u.isActive)} active, ` +
        `${count((u) => u.approvalStatus === 'pending')} pending, ${count((u) => u.approvalStatus === 'rejected')} rejected`,
    );
    return 0;
  },
};
