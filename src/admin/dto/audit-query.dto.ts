import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { toInteger } from '../../common/http/query-transforms';
import { AUDIT_EVENT_TYPES } from '../../audit/audit-event-types';
import { EXPORT_FORMATS, type ExportFormat } from '../../audit/audit-export.format';

/** Calendar dates only (no week or ordinal dates), optional time and zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;
export const UUID_OR_HEX = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$/;

/** The filters of the audit trail, shared by the list and the export. */
export class AuditFilterQueryDto {
  /** @example "admin_user_approved" */
  @IsOptional() @IsIn(AUDIT_EVENT_TYPES) event_type?: string;
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  @IsOptional() @IsString() @Matches(UUID_OR_HEX, { message: 'actor_id must be a UUID' }) actor_id?: string;
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  @IsOptional() @IsString() @Matches(UUID_OR_HEX, { message: 'target_id must be a UUID' }) target_id?: string;
  /** ISO 8601 date or date-time, inclusive. @example "2026-01-01T00:00:00Z" */
  @IsOptional() @IsString() @Matches(ISO_DATE_TIME, { message: 'since must be an ISO 8601 date-time' }) since?: string;
  /** ISO 8601 date or date-time, exclusive. @example "2026-02-01T00:00:00Z" */
  @IsOptional() @IsString() @Matches(ISO_DATE_TIME, { message: 'until must be an ISO 8601 date-time' }) until?: string;
}

export class AuditQueryDto extends AuditFilterQueryDto {
  /** 1 to 1000. @example 100 */
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(1000) limit?: number;
  /** `next_cursor` of the previous page. */
  @IsOptional() @IsString() @MaxLength(1000) cursor?: string;
}

/** The filters of the list, without paging: the export holds every matching event. */
export class AuditExportQueryDto extends AuditFilterQueryDto {
  /** @example "csv" */
  @IsIn(EXPORT_FORMATS) format: ExportFormat;
}

export class AuditEventDto {
  /** @example 42 */
  id: number;
  /** @example "2026-01-02T09:30:00.000Z" */
  at: string;
  /** @example "admin_user_approved" */
  event_type: string;
  /** @example "0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d" */
  actor_id: string | null;
  /** @example "ada" */
  actor_username: string | null;
  /** @example "3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c" */
  target_id: string | null;
  /** @example "grace" */
  target_username: string | null;
  /** @example "203.0.113.7" */
  ip: string | null;
  /** @example "Mozilla/5.0" */
  user_agent: string | null;
  /** @example {"reason": "Verified with the PI"} */
  details: Record<string, unknown>;
}

export class AuditEventPageDto {
  events: AuditEventDto[];
  /** Pass as `cursor` for older events; null on the last page. @example "eyJhIjoiMjAyNi0wMS0wMiAwOTozMDowMCswMCIsImkiOiI0MiJ9" */
  next_cursor: string | null;
}
