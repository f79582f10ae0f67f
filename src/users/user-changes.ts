import type { User } from './user.entity';

/** The fields an admin update may change, in their wire names. */
export interface UserChanges {
  username?: string;
  email?: string;
  is_active?: boolean;
  is_superuser?: boolean;
}

/** What the audit trail records of a change: each changed field, old → new, in the wire names. */
export type Changes = Record<string, { old: unknown; new: unknown }>;

const WIRE_NAMES: Partial<Record<keyof User, string>> = {
  isSuperuser: 'is_superuser',
  isActive: 'is_active',
  isApproved: 'is_approved',
  approvalStatus: 'approval_status',
};

/** The fields of `wanted` that differ from the user's. */
export function changesTo(target: User, wanted: Partial<User>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(wanted) as Array<[keyof User, unknown]>) {
    if (target[key] !== value) changes[WIRE_NAMES[key] ?? key] = { old: target[key], new: value };
  }
  return changes;
}

/** The fields of an admin update that differ from the user's. */
export function diffOf(target: User, changes: UserChanges): Changes {
  const current: Record<keyof UserChanges, unknown> = {
    username: target.username,
    email: target.email,
    is_active: target.isActive,
    is_superuser: target.isSuperuser,
  };
  const diff: Changes = {};
  for (const key of Object.keys(current) as Array<keyof UserChanges>) {
    if (changes[key] !== undefined && changes[key] !== current[key]) diff[key] = { old: current[key], new: changes[key] };
  }
  return diff;
}
