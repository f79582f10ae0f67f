import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { User } from './user.entity';

/**
 * Approval decisions (docs/API.md §2 Users and their states, §10 Administration): what a decision
 * writes, and what a bulk decision comes to for each user.
 */

export const BULK_OUTCOMES = ['approved', 'rejected', 'already_approved', 'not_pending', 'not_found'] as const;
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

export interface BulkResult {
  id: string;
  outcome: BulkOutcome;
}

/**
 * As the single route would decide: approving works on pending and rejected users
 * (`already_approved` otherwise); rejecting in bulk works on pending users only (`not_pending`
 * for approved and already rejected ones, which stay as they are).
 */
export function bulkOutcome(target: Pick<User, 'approvalStatus'> | undefined, approved: boolean): BulkOutcome {
  if (!target) return 'not_found';
  if (approved) return target.approvalStatus === 'approved' ? 'already_approved' : 'approved';
  return target.approvalStatus === 'pending' ? 'rejected' : 'not_pending';
}

/** The columns a decision writes: approval activates; rejection deactivates and keeps the reason. */
export function decisionPatch(
  approved: boolean,
  actorId: string | null,
  at: Date,
  reason: string | null,
): QueryDeepPartialEntity<User> {
  return approved
    ? { isApproved: true, isActive: true, approvalStatus: 'approved', approvedBy: actorId, approvedAt: at, rejectionReason: null }
    : {
        isApproved: false,
        isActive: false,
        approvalStatus: 'rejected',
        approvedBy: null,
        approvedAt: null,
        rejectionReason: reason,
      };
}

/** How many users came to each outcome (every outcome named, zeros included). */
export function countOutcomes(results: BulkResult[]): Record<BulkOutcome, number> {
  const counts = Object.fromEntries(BULK_OUTCOMES.map((outcome) => [outcome, 0])) as Record<BulkOutcome, number>;
  for (const { outcome } of results) counts[outcome] += 1;
  return counts;
}
