import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountRecoveryController } from './account-recovery.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AccessTokenVerifier } from './authentication/access-token-verifier';
import { JwtAuthGuard } from './authentication/jwt-auth.guard';
import { SessionAuthenticator } from './authentication/session-authenticator';

/**
 * Registration, login, logout, who-am-I and the session configuration, and the authentication of
 * every request (JwtAuthGuard, registered globally by the app module).
 */
@Module({
  imports: [UsersModule, SessionsModule, AuditModule],
  controllers: [AuthController, AccountRecoveryController],
  providers: [AuthService, SessionAuthenticator, AccessTokenVerifier, JwtAuthGuard],
  exports: [JwtAuthGuard, SessionAuthenticator],
})
export class AuthModule {}
