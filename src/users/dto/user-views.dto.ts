/** Smaller views of a user that some answers carry (the original system's shapes). */

/** The user part of admin create / update / promote / demote answers. */
export class UserSummaryDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example true */
  is_active: boolean;
  /** @example false */
  is_superuser: boolean;
}

/** The user part of an approval decision. */
export class ApprovalUserDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example true */
  is_approved: boolean;
  /** @example true */
  is_active: boolean;
  /** @example "0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d" */
  approved_by: string | null;
  /** @example "2026-01-02T09:30:00.000Z" */
  approved_at: string | null;
}

/** One registration waiting for a decision. */
export class PendingUserDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "grace" */
  username: string;
  /** @example "grace@example.org" */
  email: string;
  /** @example "PhD student" */
  approval_note: string | null;
  /** @example "University of Somewhere" */
  institution: string | null;
  /** @example "2026-01-01T12:00:00.000Z" */
  created_at: string;
  /** @example false */
  is_active: boolean;
  /** The trusted domain the address falls under (itself or a parent domain), or null. @example "example.org" */
  trusted_domain: string | null;
}

/** The user part of the /login answer. */
export class LoginUserDto {
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  id: string;
  /** @example "ada" */
  username: string;
  /** @example "ada@example.org" */
  email: string;
  /** @example true */
  is_active: boolean;
  /** @example false */
  is_superuser: boolean;
  /** @example true */
  is_approved: boolean;
}
