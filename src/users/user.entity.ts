import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

@Entity({ name: 'users' })
@Check('CHK_users_approval_status', `"approval_status" IN ('pending', 'approved', 'rejected')`)
// Admin search, keyset pages and the pending queue: hand-written in the AdminIndexes, AdminDigest
// and SearchIndex migrations.
@Index('IDX_users_search_trgm', { synchronize: false })
@Index('IDX_users_created_at_id', { synchronize: false })
@Index('IDX_users_username_id', { synchronize: false })
@Index('IDX_users_email_id', { synchronize: false })
@Index('IDX_users_pending', { synchronize: false })
@Index('IDX_users_digest', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored as given; compared through `emailKey`. */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  /** Stored in NFKC; compared through `usernameKey`. */
  @Column({ type: 'varchar', length: 150 })
  username: string;

  /**
   * Comparison keys (src/users/identity.ts). Each is unique, and the IdentityKeys migration keeps
   * both in `user_identifiers`, whose primary key makes usernames and emails one namespace.
   */
  @Index('UQ_users_username_key', { unique: true })
  @Column({ name: 'username_key', type: 'text' })
  usernameKey: string;

  @Index('UQ_users_email_key', { unique: true })
  @Column({ name: 'email_key', type: 'text' })
  emailKey: string;

  @Column({ name: 'hashed_password', type: 'text' })
  hashedPassword: string;

  @Column({ name: 'is_active', type: 'boolean', default: false })
  isActive: boolean;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  @Column({ name: 'is_verified', type: 'boolean', default: true })
  isVerified: boolean;

  @Column({ name: 'is_approved', type: 'boolean', default: false })
  isApproved: boolean;

  @Column({ name: 'approval_status', type: 'varchar', length: 16, default: 'pending' })
  approvalStatus: ApprovalStatus;

  @Column({ name: 'approval_note', type: 'text', nullable: true })
  approvalNote: string | null;

  @Column({ type: 'text', nullable: true })
  institution: string | null;

  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason: string | null;

  /** Failed logins from every address since `failureWindowStartedAt` (the account-wide lockout). */
  @Column({ name: 'failed_login_count', type: 'integer', default: 0 })
  failedLoginCount: number;

  @Column({ name: 'failure_window_started_at', type: 'timestamptz', nullable: true })
  failureWindowStartedAt: Date | null;

  /** The account-wide lock; locks of one address are rows of `login_failures`. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** When a superusers' digest listed this registration (null: not yet). */
  @Column({ name: 'admin_notified_at', type: 'timestamptz', nullable: true })
  adminNotifiedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
