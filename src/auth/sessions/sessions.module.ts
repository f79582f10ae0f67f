import { Module } from '@nestjs/common';
import { SessionsService } from './sessions.service';

/** Session rows; used by authentication and by every operation that must end sessions. */
@Module({
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
