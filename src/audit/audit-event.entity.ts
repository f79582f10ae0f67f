import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only (a trigger in the migration refuses UPDATE and DELETE). */
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_at_id', ['at', 'id'])
export class AuditEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Index('IDX_audit_events_event_type')
  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  @Index('IDX_audit_events_actor_id')
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 150, nullable: true })
  actorUsername: string | null;

  @Index('IDX_audit_events_target_id')
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  @Column({ name: 'target_username', type: 'varchar', length: 150, nullable: true })
  targetUsername: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;
}
