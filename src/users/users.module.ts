import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PasswordModule } from '../auth/password/password.module';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { User } from './user.entity';
import { UsersService } from './users.service';
import { UserAdministrationService } from './user-administration.service';
import { UserDirectoryService } from './user-directory.service';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { StorageReconciler } from '../user-storage/storage-reconciler';

@Module({
  imports: [TypeOrmModule.forFeature([User]), AuditModule, UserStorageModule, PasswordModule, SessionsModule],
  providers: [UsersService, UserAdministrationService, UserDirectoryService, StorageReconciler],
  exports: [UsersService, UserAdministrationService, UserDirectoryService, StorageReconciler],
})
export class UsersModule {}
