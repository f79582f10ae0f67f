import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PasswordModule } from '../auth/password/password.module';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { User } from './user.entity';
import { UsersService } from './users.service';
import { StorageReconciler } from '../user-storage/storage-reconciler';

@Module({
  imports: [TypeOrmModule.forFeature([User]), AuditModule, UserStorageModule, PasswordModule],
  providers: [UsersService, StorageReconciler],
  exports: [UsersService, StorageReconciler],
})
export class UsersModule {}
