import { getMetadataArgsStorage } from 'typeorm';
import { User } from './user.entity';
import { INSERT_USER, USER_BY_LOGIN, USER_COLUMNS, listStatements, pendingStatements } from './users.repository.sql';

const names = (list: string) => list.split(',').map((name) => name.trim());

describe('the statements that read a whole user', () => {
  it("name every column of the User entity (a prepared statement must not return '*')", () => {
    const columns = getMetadataArgsStorage()
      .columns.filter((column) => column.target === User)
      .map((column) => column.options.name ?? column.propertyName);

    expect(names(USER_COLUMNS)).not.toContain('*');
    expect([...names(USER_COLUMNS)].sort()).toEqual([...columns].sort());
  });

  it('INSERT_USER returns that list, and the login lookup selects it', () => {
    expect(names(/RETURNING\s+([\s\S]+)$/.exec(INSERT_USER.text)?.[1] ?? '')).toEqual(names(USER_COLUMNS));
    expect(names(/SELECT\s+([\s\S]+?)\s+FROM users/.exec(USER_BY_LOGIN.text)?.[1] ?? '')).toEqual(names(USER_COLUMNS));
  });
});

describe('the admin search condition', () => {
  const query = (q: string) => ({ q, sort: 'created_at' as const, descending: false, limit: 10 });
  const perField = /lower\(username\) LIKE/;

  it('matches the joined fields alone (one trigram index) when the text holds no separator', () => {
    const { page, counts } = listStatements(query('ann'));
    for (const statement of [page, counts, pendingStatements(query('ann')).count]) {
      expect(statement.text).toContain(
        `lower(username::text || E'\\x1f' || email::text || E'\\x1f' || coalesce(institution, '')) LIKE $1`,
      );
      expect(statement.text).not.toMatch(perField);
    }
    expect(page.values[0]).toBe('%ann%');
  });

  it('also checks each field when the text holds the separator, so that no match spans two fields', () => {
    const { page, counts } = listStatements(query('ann\x1fann@'));
    expect(page.text).toMatch(perField);
    expect(counts.text).toMatch(perField);
    expect(pendingStatements(query('ann\x1fann@')).page.text).toMatch(perField);
  });

  it('tests each field on its own for text under three characters (no trigram to look up)', () => {
    const { counts } = listStatements(query('an'));
    expect(counts.text).toMatch(perField);
    expect(counts.text).not.toContain("E'\\x1f'");
  });
});
