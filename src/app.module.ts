import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/authentication/jwt-auth.guard';
import { CommonModule } from './common/common.module';
import { HttpExceptionFilter } from './common/errors/http-exception.filter';
import { RequestValidationPipe } from './common/http/validation.pipe';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { ConsoleModule } from './console/console.module';
import { buildDataSourceOptions } from './database/database.options';
import { TypeOrmNestLogger } from './database/typeorm-logger';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';

/**
 * The whole service: configuration, logging, the database, the feature modules, and the three
 * things every request passes through (authentication guard, validation pipe, error filter).
 */
@Module({})
export class AppModule {
  /** `config` is complete: DATABASE_URL resolved (embedded or not) and the JWT secret known. */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a resolved database URL');
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        CommonModule,
        RedisModule,
        MetricsModule,
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(config.databaseUrl, config.databasePoolSize),
          autoLoadEntities: true,
          migrationsRun: true,
          logger: new TypeOrmNestLogger(),
          maxQueryExecutionTime: 2000,
          // Start-up has waited for the database already (runtime.ts): no retries here, whose
          // messages would be extra error lines, and a failing migration must not run again.
          retryAttempts: 0,
          toRetry: () => false,
        }),
        RateLimitModule,
        MailModule,
        AuthModule,
        AccountsModule,
        AdminModule,
        HealthModule,
        ...(config.consoleEnabled ? [ConsoleModule] : []),
      ],
      providers: [
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }
}
