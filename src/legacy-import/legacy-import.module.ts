import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { UsersModule } from '../users/users.module';
import { LegacyImporter } from './legacy-importer';

/** The import of the original system's SQLite users (a CLI command; no route). */
@Module({
  imports: [UsersModule, AuditModule, UserStorageModule],
  providers: [LegacyImporter],
  exports: [LegacyImporter],
})
export class LegacyImportModule {}
