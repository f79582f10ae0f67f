import { Module } from '@nestjs/common';
import { ConsoleRoutes } from './console-routes';

/** The web console (docs/API.md §15 Console): its files and routes. Imported unless CONSOLE_ENABLED=false. */
@Module({ providers: [ConsoleRoutes] })
export class ConsoleModule {}
