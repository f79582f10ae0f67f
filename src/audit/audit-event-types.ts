/** Event types of docs/API.md §12 Audit events; the original system's names are kept. */
export const AUDIT_EVENT_TYPES = [
  'first_user_superuser_promotion',
  'user_registered',
  'admin_user_creation',
  'admin_user_update',
  'admin_user_promotion',
  'admin_user_demotion',
  'admin_user_deletion',
  'admin_user_approved',
  'admin_user_rejected',
  'login_succeeded',
  'login_failed',
  'logout',
  'session_revoked',
  'token_rejected',
  'rate_limited',
  'legacy_import',
  'password_reset',
  'account_unlocked',
  'password_changed',
  'password_reset_requested',
  'email_verified',
  'auto_approved',
  'identity_collision',
  'mail_failed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
