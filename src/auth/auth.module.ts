import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { PasswordModule } from './password/password.module';
import { JwtAuthGuard } from './sessions/jwt-auth.guard';
import { JwtStrategy } from './sessions/jwt.strategy';
import { SessionsModule } from './sessions/sessions.module';
import { TokenService } from './sessions/token.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    UsersModule,
    AuditModule,
    PasswordModule,
    SessionsModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, TokenService, JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [PasswordModule],
})
export class AuthModule {}
