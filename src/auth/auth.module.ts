import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountRecoveryController } from './account-recovery.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './authentication/jwt-auth.guard';
import { JwtStrategy } from './authentication/jwt.strategy';
import { SessionAuthenticator } from './authentication/session-authenticator';

/**
 * Registration, login, logout, who-am-I and the session configuration, and the authentication of
 * every request (JwtAuthGuard, registered globally by the app module).
 */
@Module({
  imports: [PassportModule, UsersModule, SessionsModule, AuditModule],
  controllers: [AuthController, AccountRecoveryController],
  providers: [AuthService, SessionAuthenticator, JwtStrategy, JwtAuthGuard],
  exports: [JwtAuthGuard, SessionAuthenticator],
})
export class AuthModule {}
