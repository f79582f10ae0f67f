import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one process. Knows no feature: modules register their own gauges, computed
 * at scrape time (`gauge`), and count their own events.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly logins: Counter<'outcome'>;

  constructor() {
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
      help: 'Login attempts by outcome (success or failure, never why)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
  }

  /** A gauge whose value is read when Prometheus scrapes: one number, or one number per label value. */
  gauge(name: string, help: string, read: () => Promise<number | Array<[string, number]>>, labelName?: string): void {
    new Gauge({
      name,
      help,
      labelNames: labelName ? [labelName] : [],
      registers: [this.registry],
      async collect() {
        const value = await read();
        if (typeof value === 'number') {
          this.set(value);
          return;
        }
        this.reset();
        for (const [label, n] of value) this.set({ [labelName!]: label }, n);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  countLogin(outcome: 'success' | 'failure'): void {
    this.logins.inc({ outcome });
  }
}
