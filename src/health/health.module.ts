import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { HealthController } from './health.controller';
import { OutboxIndicator } from './outbox.indicator';
import { ShutdownState } from './shutdown-state';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), UserStorageModule],
  controllers: [HealthController],
  providers: [OutboxIndicator, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
