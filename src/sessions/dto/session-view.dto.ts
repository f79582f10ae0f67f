/** A live session (docs/API.md §8 Accounts). */
export class SessionViewDto {
  /** @example "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d" */
  id: string;
  /** @example "2026-01-02T09:30:00.000Z" */
  created_at: string;
  /** Coalesced: written at most once per touch interval. @example "2026-01-02T09:41:10.000Z" */
  last_seen_at: string;
  /** The client address at login. @example "203.0.113.7" */
  ip: string | null;
  /** @example "Mozilla/5.0 (X11; Linux x86_64)" */
  user_agent: string | null;
}

/** A session in the owner's own list: `current` marks the one making the request. */
export class OwnSessionDto extends SessionViewDto {
  /** @example true */
  current: boolean;
}
