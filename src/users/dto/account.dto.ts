import type { ApprovalStatus } from '../user.entity';

/** A user as they see themselves (docs/API.md §8 Accounts). */
export class AccountDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "ada@example.org" */
  email: string;
  /** @example "ada" */
  username: string;
  /** @example true */
  is_active: boolean;
  /** @example false */
  is_superuser: boolean;
  /** @example true */
  is_verified: boolean;
  /** @example true */
  is_approved: boolean;
  /** @example "approved" */
  approval_status: ApprovalStatus;
  /** @example "PhD student" */
  approval_note: string | null;
  /** @example "University of Somewhere" */
  institution: string | null;
  /** @example "2026-01-01T12:00:00.000Z" */
  created_at: string;
}
