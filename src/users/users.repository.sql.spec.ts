import { getMetadataArgsStorage } from 'typeorm';
import { User } from './user.entity';
import { INSERT_USER, USER_BY_LOGIN, USER_COLUMNS } from './users.repository.sql';

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
