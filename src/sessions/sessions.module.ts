import { Module, OnModuleInit } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { SessionCache } from './session-cache';
import { Session } from './session.entity';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

/** Session rows and the tokens that name them; used by authentication and by every change that ends sessions. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Session]),
    AuditModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
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
