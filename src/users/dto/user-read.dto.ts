import type { ApprovalStatus } from '../user.entity';

/** A user as clients see it (never the password hash). */
export class UserReadDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "ada@example.org" */
  email: string;
  /** @example "ada" */
  username: string;
  /** @example false */
  is_active: boolean;
  /** @example false */
  is_superuser: boolean;
  /** Always true: there is no email verification. @example true */
  is_verified: boolean;
  /** @example false */
  is_approved: boolean;
  /** @example "pending" */
  approval_status: ApprovalStatus;
  /** @example "PhD student" */
  approval_note: string | null;
  /** @example "University of Somewhere" */
  institution: string | null;
  /** Null until approved. @example "0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d" */
  approved_by: string | null;
  /** Null until approved. @example "2026-01-02T09:30:00.000Z" */
  approved_at: string | null;
  /** @example "2026-01-01T12:00:00.000Z" */
  created_at: string;
}
