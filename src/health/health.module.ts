import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), UserStorageModule],
  controllers: [HealthController],
})
export class HealthModule {}
