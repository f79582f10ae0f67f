import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { runPrepared, type PreparedStatement } from '../database/prepared';
import { AuditEventType } from './audit-event-types';

export interface AuditParty {
  id: string;
  username: string;
}

export interface AuditRecord {
  eventType: AuditEventType;
  actor?: AuditParty | null;
  target?: AuditParty | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

/** One event (every login, registration and admin action): a prepared statement. */
const INSERT_EVENT: PreparedStatement = {
  name: 'gatehouse_audit_insert',
  text: `INSERT INTO audit_events (event_type, actor_id, actor_username, target_id, target_username, ip, user_agent, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
};

/** Keys that must never reach the audit table or the log, whatever a caller passes. */
const SECRET_KEY = /pass(word)?|hash|token|secret|authorization|cookie|jwt/i;

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const clean: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (!SECRET_KEY.test(key)) clean[key] = scrub(inner, depth + 1);
  }
  return clean;
}

/** Writes the audit trail: in the caller's transaction when given one, so it commits with the change. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager | null, record: AuditRecord): Promise<void> {
    const details = scrub(record.details ?? {}) as Record<string, unknown>;
    const row = {
      eventType: record.eventType,
      actorId: record.actor?.id ?? null,
      actorUsername: record.actor?.username ?? null,
      targetId: record.target?.id ?? null,
      targetUsername: record.target?.username ?? null,
      ip: record.ip ?? null,
      userAgent: record.userAgent?.slice(0, 512) ?? null,
      details,
    };
    await runPrepared(
      this.dataSource,
      INSERT_EVENT,
      [
        row.eventType,
        row.actorId,
        row.actorUsername,
        row.targetId,
        row.targetUsername,
        row.ip,
        row.userAgent,
        JSON.stringify(details),
      ],
      manager,
    );
    this.logger.log({
      msg: 'security event',
      event_type: row.eventType,
      actor_id: row.actorId,
      target_id: row.targetId,
      ip: row.ip,
      details,
    });
  }

  /** For events outside any change (a rejected token): a failure to write must not fail the request. */
  recordDetached(record: AuditRecord): void {
    this.record(null, record).catch((error: Error) => this.logger.warn(`could not record ${record.eventType}: ${error.message}`));
  }
}
