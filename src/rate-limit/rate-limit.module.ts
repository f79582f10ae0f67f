import { Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT } from '../redis/redis.module';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const WINDOW_MS = 60_000;

/** Per-address limits, in memory or in Redis when REDIS_URL is set (shared by every instance). */
@Global()
@Module({
  imports: [
    AuditModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: Redis | null) => ({
        throttlers: [
          { name: 'login', ttl: WINDOW_MS, limit: config.rateLimitLoginPerMinute },
          { name: 'register', ttl: WINDOW_MS, limit: config.rateLimitRegisterPerMinute },
        ],
        ...(redis ? { storage: new RedisThrottlerStorage(redis) as ThrottlerStorage } : {}),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard, ThrottlerModule, AuditModule],
})
export class RateLimitModule {}
