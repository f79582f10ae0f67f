import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApprovalStatus } from './user.entity';

export type StatusFilter = 'pending' | 'approved' | 'rejected' | 'active' | 'inactive';
export type SortField = 'created_at' | 'username' | 'email';

export interface UserListQuery {
  q?: string;
  status?: StatusFilter;
  isSuperuser?: boolean;
  sort: SortField;
  descending: boolean;
  limit: number;
  /** Keyset position: the sort value and id of the last row of the previous page. */
  after?: { value: string; id: string };
}

export interface UserListRow {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  is_approved: boolean;
  approval_status: ApprovalStatus;
  approval_note: string | null;
  institution: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  created_at: Date;
  /** The sort column as text, exact (microseconds included) for the next cursor. */
  sort_value: string;
}

export interface UserListResult {
  rows: UserListRow[];
  total: number;
  superusers: number;
  activeUsers: number;
  hasMore: boolean;
}

export interface UserStats {
  total: number;
  active: number;
  superusers: number;
  pending: number;
  rejected: number;
}

const SORT_COLUMN: Record<SortField, string> = { created_at: 'created_at', username: 'username', email: 'email' };

/** LIKE patterns take the search text literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Read-side queries over users for the admin routes: filters, keyset pages, one-query aggregates. */
@Injectable()
export class UserDirectoryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: UserListQuery): Promise<UserListResult> {
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.q !== undefined && query.q !== '') {
      const p = param(likePattern(query.q));
      where.push(`(lower(username) LIKE ${p} OR lower(email) LIKE ${p} OR lower(coalesce(institution, '')) LIKE ${p})`);
    }
    switch (query.status) {
      case 'pending':
      case 'approved':
      case 'rejected':
        where.push(`approval_status = ${param(query.status)}`);
        break;
      case 'active':
        where.push('is_active');
        break;
      case 'inactive':
        where.push('NOT is_active');
        break;
    }
    if (query.isSuperuser !== undefined) where.push(`is_superuser = ${param(query.isSuperuser)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';

    const column = SORT_COLUMN[query.sort];
    const pageWhere = [...where];
    const pageParams = [...params];
    if (query.after) {
      pageParams.push(query.after.value, query.after.id);
      const cast = query.sort === 'created_at' ? '::timestamptz' : '::text';
      const op = query.descending ? '<' : '>';
      pageWhere.push(`(${column}, id) ${op} ($${pageParams.length - 1}${cast}, $${pageParams.length}::uuid)`);
    }
    pageParams.push(query.limit + 1);
    const direction = query.descending ? 'DESC' : 'ASC';
    const [rows, counts] = await Promise.all([
      this.dataSource.query(
        `SELECT id, username, email, is_active, is_superuser, is_verified, is_approved, approval_status, approval_note,
                institution, approved_by, approved_at, created_at, ${column}::text AS sort_value
           FROM users ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
          ORDER BY ${column} ${direction}, id ${direction}
          LIMIT $${pageParams.length}`,
        pageParams,
      ) as Promise<UserListRow[]>,
      (where.length === 0
        ? this.dataSource.query('SELECT total::int, superusers::int, active::int FROM user_counts WHERE id = 1')
        : this.dataSource.query(
            `SELECT count(*)::int AS total,
                    count(*) FILTER (WHERE is_superuser)::int AS superusers,
                    count(*) FILTER (WHERE is_active)::int AS active
               FROM users ${filter}`,
            params,
          )) as Promise<Array<{ total: number; superusers: number; active: number }>>,
    ]);
    const hasMore = rows.length > query.limit;
    return {
      rows: hasMore ? rows.slice(0, query.limit) : rows,
      total: counts[0].total,
      superusers: counts[0].superusers,
      activeUsers: counts[0].active,
      hasMore,
    };
  }

  /** One row kept exact by triggers (UserCounts migration), not a count over every user. */
  async stats(): Promise<UserStats> {
    const [row] = (await this.dataSource.query(
      `SELECT total::int, active::int, superusers::int, pending::int, rejected::int FROM user_counts WHERE id = 1`,
    )) as UserStats[];
    return row;
  }

  /** Pending registrations, oldest first. */
  pending(): Promise<
    Array<Pick<UserListRow, 'id' | 'username' | 'email' | 'approval_note' | 'institution' | 'created_at' | 'is_active'>>
  > {
    return this.dataSource.query(
      `SELECT id, username, email, approval_note, institution, created_at, is_active
         FROM users WHERE approval_status = 'pending' ORDER BY created_at, id`,
    );
  }
}
