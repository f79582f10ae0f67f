import { DataSource } from 'typeorm';
import { loadConfigFromProcessEnv } from './config/load-config';
import { buildDataSourceOptions } from './database/database.options';
import { ENTITIES } from './entities';

/** For the TypeORM CLI (`typeorm -d dist/data-source.js migration:...`). */
const config = loadConfigFromProcessEnv();
if (config.databaseUrl === undefined) {
  throw new Error('DATABASE_URL must be set to use the migration CLI');
}
export default new DataSource({ ...buildDataSourceOptions(config.databaseUrl, 2), entities: ENTITIES });
