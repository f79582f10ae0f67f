import { createApp } from './app.setup';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfigFromProcessEnv } from './config/load-config';
import { createRootLogger } from './logging/root-logger';
import { prepareRuntime, Runtime } from './runtime';

function readConfig(): AppConfig {
  try {
    return loadConfigFromProcessEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const loaded = readConfig();
  const root = createRootLogger(loaded);
  const logger = {
    log: (message: string) => root.info({ context: 'Gatehouse' }, message),
    warn: (message: string) => root.warn({ context: 'Gatehouse' }, message),
    error: (message: string, stack?: string) => root.error({ context: 'Gatehouse', stack }, message),
  };
  let runtime: Runtime | undefined;
  try {
    runtime = await prepareRuntime(loaded, logger);
    const { config } = runtime;
    const app = await createApp(config, { rootLogger: root });

    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received: finishing in-flight requests and shutting down`);
      try {
        await app.close();
      } finally {
        await runtime?.stop();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));

    await app.listen({ port: config.port, host: config.host });
    const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const base = `http://${shown}:${config.port}${config.apiPrefix}`;
    logger.log(`Gatehouse is listening: API at ${base}`);
    if (config.docsEnabled) logger.log(`Swagger UI at ${base}/docs (OpenAPI document at ${base}/openapi.json)`);
    if (config.consoleEnabled) logger.log(`Console at http://${shown}:${config.port}/console/`);
  } catch (error) {
    logger.error(`start-up failed: ${(error as Error).message}`, (error as Error).stack);
    await runtime?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
