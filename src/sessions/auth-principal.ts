/** The caller of an authenticated request: the user as of this request, and the session used. */
export interface AuthPrincipal {
  id: string;
  username: string;
  email: string;
  isActive: boolean;
  isSuperuser: boolean;
  sessionId: string;
}
