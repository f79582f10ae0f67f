import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { RequestContext } from '../common/http/request-context';
import { poolOf } from '../database/prepared';
import { CSV_HEADER, csvLines, EXPORT_COLUMNS, ExportFormat, ExportRow, ndjsonLines } from './audit-export.format';
import { AuditFilter, filterConditions } from './audit-query.service';
import { CursorStream } from './cursor-stream';
import { AuditParty, AuditService } from './audit.service';

/** Rows per FETCH: about 0.3 MB of text a batch for typical events. */
const BATCH_SIZE = 1000;

export type ExportFilter = Pick<AuditFilter, 'event_type' | 'actor_id' | 'target_id' | 'since' | 'until'>;

/**
 * The whole audit trail, or the part the filters select, as one streamed file (docs/API.md §10
 * Administration, export), newest first, in constant memory whatever the number of rows.
 */
@Injectable()
export class AuditExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks the filters (400 as on the list route), opens the cursor, records `audit_exported`,
   * and returns the stream; nothing is read until the stream is.
   */
  async open(filter: ExportFilter, format: ExportFormat, actor: AuditParty, context: RequestContext): Promise<Readable> {
    const values: unknown[] = [];
    const where = filterConditions(filter, values);
    const text = `SELECT ${EXPORT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC`;
    const stream = await CursorStream.open<ExportRow>(
      poolOf(this.dataSource),
      { text, values },
      format === 'csv'
        ? { batchSize: BATCH_SIZE, format: csvLines, prefix: CSV_HEADER }
        : { batchSize: BATCH_SIZE, format: ndjsonLines },
    );
    try {
      await this.audit.record(null, {
        eventType: 'audit_exported',
        actor,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { format, filters: Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) },
      });
    } catch (error) {
      stream.destroy();
      throw error;
    }
    return stream;
  }
}
