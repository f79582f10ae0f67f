import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

/** /users/me: what every signed-in user manages about themselves. */
@Module({
  imports: [UsersModule, SessionsModule],
  controllers: [AccountsController],
  providers: [AccountsService],
})
export class AccountsModule {}
