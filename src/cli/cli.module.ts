import { DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { LegacyImportModule } from '../legacy-import/legacy-import.module';

/** The service's modules, plus what only the CLI uses. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CliModule, imports: [AppModule.forRoot(config), LegacyImportModule] };
  }
}
