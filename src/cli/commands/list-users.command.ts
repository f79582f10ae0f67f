import { UserDirectoryService, UserListRow } from '../../users/user-directory.service';
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
    const directory = app.get(UserDirectoryService);
    const users: UserListRow[] = [];
    let after: { value: string; id: string } | undefined;
    for (;;) {
      const page = await directory.list({ sort: 'created_at', descending: false, limit: PAGE, after });
      users.push(...page.rows);
      if (!page.hasMore) break;
      const last = page.rows[page.rows.length - 1];
      after = { value: last.sort_value, id: last.id };
    }

    if (args.values.json) {
      const listed = users.map((user) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        status: user.approval_status,
        is_superuser: user.is_superuser,
        is_active: user.is_active,
        is_approved: user.is_approved,
        institution: user.institution,
        approved_by: user.approved_by,
        approved_at: iso(user.approved_at),
        created_at: iso(user.created_at),
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
        user.approval_status,
        yesNo(user.is_superuser),
        yesNo(user.is_active),
        (iso(user.created_at) ?? '').replace(/\.\d{3}Z$/, 'Z'),
      ]),
    ]);
    for (const line of lines) out(line);
    const count = (predicate: (user: UserListRow) => boolean) => users.filter(predicate).length;
    out(
      `${users.length} user(s): ${count((u) => u.is_superuser)} superuser(s), ${count((u) => u.is_active)} active, ` +
        `${count((u) => u.approval_status === 'pending')} pending, ${count((u) => u.approval_status === 'rejected')} rejected`,
    );
    return 0;
  },
};
