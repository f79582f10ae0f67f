import type { AuthPrincipal } from '../sessions/auth-principal';

/** The caller of an admin route as the users module and the audit trail name it. */
export const actorOf = (principal: AuthPrincipal) => ({ id: principal.id, username: principal.username });
