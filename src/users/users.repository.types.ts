import type { User } from './user.entity';

/** Shapes of the users repository's answers and arguments. */

export interface SessionWithOwner {
  session_id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
}

/** An account holding a username or email that another account wants. */
export interface IdentifierHolder {
  id: string;
  username: string;
  email: string;
  /** The wanted username is this account's username or email (else only the wanted email is). */
  usernameTaken: boolean;
}

export interface UserCounts {
  total: number;
  active: number;
  superusers: number;
  pending: number;
  rejected: number;
}

export type NewUserRow = Omit<
  User,
  'id' | 'createdAt' | 'updatedAt' | 'failedLoginCount' | 'failureWindowStartedAt' | 'lockedUntil' | 'adminNotifiedAt'
>;

export interface ImportedUserRow extends Pick<
  User,
  | 'id'
  | 'email'
  | 'username'
  | 'hashedPassword'
  | 'isActive'
  | 'isSuperuser'
  | 'isApproved'
  | 'approvalStatus'
  | 'approvalNote'
  | 'institution'
  | 'approvedBy'
  | 'usernameKey'
  | 'emailKey'
> {
  approvedAt: string | null;
  createdAt: string | null;
}

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
  after?: KeysetPosition;
}

export interface KeysetPosition {
  /** The sort column as text, exact (microseconds included). */
  value: string;
  id: string;
}

export interface UserListResult {
  users: User[];
  /** Where the next page starts; null on the last page. */
  nextAfter: KeysetPosition | null;
  /** Counts over the whole filtered set. */
  total: number;
  superusers: number;
  activeUsers: number;
}

/** The pending queue's filters and keyset position (oldest first). */
export interface PendingQuery {
  q?: string;
  /** Exact, case-insensitive. */
  institution?: string;
  limit: number;
  after?: KeysetPosition;
}

export interface PendingPage {
  users: User[];
  nextAfter: KeysetPosition | null;
  /** The size of the whole filtered queue. */
  count: number;
}
