import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';

/** What authenticating a request needs to know about a session and its owner. */
export interface CachedSession {
  id: string;
  userId: string;
  createdAt: Date;
  /** The newest activity this process knows of (the database may know a newer one). */
  lastSeenAt: Date;
  username: string;
  email: string;
  isActive: boolean;
  isSuperuser: boolean;
}

/** The channel the database notifies on (triggers of the SessionCacheNotify migration). */
export const AUTH_CHANNEL = 'gatehouse_auth';

/** At most this many sessions are kept; the oldest entries go first. */
const MAX_ENTRIES = 50_000;

/**
 * Sessions and their owners kept in memory, so that an authenticated request needs no query.
 * Correct across instances: every change that matters to authentication (a session revoked; a user
 * deactivated, deleted, demoted, renamed) makes the database send a notification on commit
 * (triggers), which every instance's listener turns into an eviction within milliseconds; the
 * instance that made the change also evicts at once, before it answers. While the listener is not
 * connected nothing is served from memory. Entries also expire after SESSION_CACHE_SECONDS. The
 * idle timeout stays exact: an entry that looks idle is re-read before the request is refused
 * (another instance may have seen activity), see SessionAuthenticator.
 */
@Injectable()
export class SessionCache implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionCache');
  private readonly entries = new Map<string, { session: CachedSession; expiresAt: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  private listener: Client | undefined;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.sessionCacheSeconds > 0 && this.listening;
  }

  /** Starts listening (the HTTP service only; the CLI never caches). */
  async start(): Promise<void> {
    if (this.config.sessionCacheSeconds <= 0 || this.listener) return;
    this.stopped = false;
    await this.connect();
  }

  get(sessionId: string): CachedSession | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.forgetSession(sessionId);
      return undefined;
    }
    return entry.session;
  }

  set(session: CachedSession): void {
    if (!this.enabled) return;
    if (this.entries.size >= MAX_ENTRIES) this.forgetSession(this.entries.keys().next().value as string);
    this.entries.set(session.id, { session, expiresAt: Date.now() + this.config.sessionCacheSeconds * 1000 });
    let sessions = this.byUser.get(session.userId);
    if (!sessions) this.byUser.set(session.userId, (sessions = new Set()));
    sessions.add(session.id);
  }

  forgetSession(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    const sessions = this.byUser.get(entry.session.userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.byUser.delete(entry.session.userId);
  }

  forgetUser(userId: string): void {
    for (const sessionId of this.byUser.get(userId) ?? []) this.entries.delete(sessionId);
    this.byUser.delete(userId);
  }

  clear(): void {
    this.entries.clear();
    this.byUser.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.listening = false;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'gatehouse-listen' });
    client.on('notification', (message) => this.apply(message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANNEL}`);
      // Whatever changed while nobody listened is unknown: start from an empty cache.
      this.clear();
      this.listening = true;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private apply(payload: string): void {
    const [kind, id] = [payload.slice(0, 2), payload.slice(2)];
    if (kind === 'u:') this.forgetUser(id);
    else if (kind === 's:') this.forgetSession(id);
    else this.clear();
  }

  private lost(client: Client, error: Error): void {
    if (this.listener !== client) return;
    this.listening = false;
    this.listener = undefined;
    this.clear();
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(`session cache off until the database listener reconnects: ${error.message}`);
    this.retry = setTimeout(() => void this.connect(), 1000);
    this.retry.unref();
  }
}
