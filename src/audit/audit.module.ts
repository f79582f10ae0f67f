import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { AuditEvent } from './audit-event.entity';
import { AuditExportService } from './audit-export.service';
import { AuditQueryService } from './audit-query.service';
import { AuditService } from './audit.service';

/** The append-only audit trail: written in the caller's transaction, read by the admin routes. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditService, AuditQueryService, AuditExportService],
  exports: [AuditService, AuditQueryService, AuditExportService],
})
export class AuditModule implements OnModuleInit {
  constructor(
    private readonly query: AuditQueryService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('gatehouse_audit_events', 'Audit events recorded, by type', () => this.query.countByType(), 'event_type');
  }
}
