import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MetricsService } from '../metrics/metrics.service';
import { SessionCache } from './session-cache';
import { Session } from './session.entity';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

/** Session rows and the tokens that name them; used by authentication and by every change that ends sessions. */
@Module({
  imports: [TypeOrmModule.forFeature([Session]), AuditModule],
  providers: [SessionsRepository, SessionsService, TokenService, SessionCache],
  exports: [SessionsService, TokenService, SessionCache],
})
export class SessionsModule implements OnModuleInit {
  constructor(
    private readonly sessions: SessionsService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      'gatehouse_active_sessions',
      'Sessions neither revoked, idle past the timeout, nor past their maximum lifetime',
      () => this.sessions.countLive(),
    );
  }
}
