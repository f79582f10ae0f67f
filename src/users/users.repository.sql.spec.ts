import { getMetadataArgsStorage } from 'typeorm';
import { User } from './user.entity';
import { INSERT_USER } from './users.repository.sql';

describe('INSERT_USER', () => {
  it("returns every column of the User entity by name (a prepared statement must not return '*')", () => {
    const columns = getMetadataArgsStorage()
      .columns.filter((column) => column.target === User)
      .map((column) => column.options.name ?? column.propertyName);
    const returning = /RETURNING\s+([\s\S]+)$/.exec(INSERT_USER.text)?.[1] ?? '';
    const returned = returning.split(',').map((name) => name.trim());

    expect(returned).not.toContain('*');
    expect([...returned].sort()).toEqual([...columns].sort());
  });
});
