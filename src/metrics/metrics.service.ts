import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** Prometheus metrics of one process; gauges over the database are computed at scrape time. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly logins: Counter<'outcome'>;

  constructor(@InjectDataSource() dataSource: DataSource, config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    this.httpDuration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.logins = new Counter({
      name: 'gatehouse_login_attempts_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'gatehouse_active_sessions',
      help: 'Sessions neither revoked, idle past the timeout, nor past their maximum lifetime',
      registers: [this.registry],
      async collect() {
        const [row] = await dataSource.query(
          `SELECT count(*)::int AS n FROM sessions
            WHERE revoked_at IS NULL
              AND last_seen_at > now() - make_interval(secs => $1)
              AND created_at > now() - make_interval(secs => $2)`,
          [config.sessionIdleTimeoutSeconds, config.sessionMaxLifetimeSeconds],
        );
        this.set(row.n);
      },
    });
    new Gauge({
      name: 'gatehouse_pending_approvals',
      help: 'Registrations waiting for an admin decision',
      registers: [this.registry],
      async collect() {
        const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM users WHERE approval_status = 'pending'`);
        this.set(row.n);
      },
    });
    new Gauge({
      name: 'gatehouse_audit_events',
      help: 'Audit events recorded, by type',
      labelNames: ['event_type'],
      registers: [this.registry],
      async collect() {
        const rows: Array<{ event_type: string; n: number }> = await dataSource.query(
          'SELECT event_type, count(*)::int AS n FROM audit_events GROUP BY event_type',
        );
        this.reset();
        for (const row of rows) this.set({ event_type: row.event_type }, row.n);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  countLogin(outcome: string): void {
    this.logins.inc({ outcome });
  }
}
