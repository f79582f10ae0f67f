// First: V8's heap growth bounded, and @nestjs/common loaded without the date formatters nothing here uses.
import './framework-preload';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createApp } from './app.setup';
import { StartupError } from './common/errors/startup-error';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfigFromProcessEnv } from './config/load-config';
import { ShutdownState } from './health/shutdown-state';
import { createRootLogger } from './logging/root-logger';
import { MetricsServer } from './metrics/metrics.server';
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

/** The one line a failed start writes: the cause, with a stack only when it is not a known failure. */
function reportStartupFailure(root: Logger, error: unknown): void {
  if (error instanceof StartupError) {
    root.error({ context: 'Gatehouse', code: error.code }, `start-up failed: ${error.message}`);
  } else if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    root.error({ context: 'Gatehouse', code, stack: error.stack }, `start-up failed: ${error.message}`);
  } else {
    root.error({ context: 'Gatehouse' }, `start-up failed: ${String(error)}`);
  }
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

async function main(): Promise<void> {
  const loaded = readConfig();
  const root = createRootLogger(loaded);
  const logger = {
    log: (message: string) => root.info({ context: 'Gatehouse' }, message),
    warn: (message: string) => root.warn({ context: 'Gatehouse' }, message),
  };
  let runtime: Runtime | undefined;
  let app: NestFastifyApplication | undefined;
  let listening = false;

  // Installed before anything starts, so that a signal during start-up still stops what was
  // started: the embedded PostgreSQL is stopped once it is up, rather than left running. Later
  // signals are ignored while stopping (a Ctrl-C in a terminal reaches both the server and npm,
  // which passes it on again).
  let stopping: string | undefined;
  const finish = async (code: number) => {
    try {
      await app?.close();
    } finally {
      await runtime?.stop().catch(() => undefined);
      process.exit(code);
    }
  };
  // A listening instance first drains (docs/DEPLOYMENT.md, Several instances behind HAProxy): not
  // ready at once, still serving for SHUTDOWN_DRAIN_SECONDS, so that the proxy's health check
  // sends new requests elsewhere before this one stops accepting.
  const drainThenFinish = async () => {
    const seconds = loaded.shutdownDrainSeconds;
    if (app && seconds > 0) {
      app.get(ShutdownState).beginDrain(app.getHttpServer());
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      logger.log('drain over: no new connections; finishing in-flight requests');
    }
    await finish(0);
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    const drain = listening && loaded.shutdownDrainSeconds > 0;
    logger.log(
      drain
        ? `${signal} received: not ready, serving for ${loaded.shutdownDrainSeconds} s (SHUTDOWN_DRAIN_SECONDS), then finishing in-flight requests and shutting down`
        : `${signal} received: finishing in-flight requests and shutting down`,
    );
    // Otherwise the start-up below notices `stopping` after its current step and finishes.
    // An external database being waited for needs no such step: nothing was started yet.
    if (listening) void drainThenFinish();
    else if (runtime === undefined && loaded.databaseUrl) void finish(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));

  try {
    runtime = await prepareRuntime(loaded, logger);
    if (stopping) return await finish(0);
    const { config } = runtime;
    app = await createApp(config, { rootLogger: root });
    if (stopping) return await finish(0);

    await app.listen({ port: config.port, host: config.host });
    listening = true;
    if (stopping) return await finish(0);
    const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const base = `http://${shown}:${config.port}${config.apiPrefix}`;
    logger.log(`Gatehouse is listening: API at ${base}`);
    if (config.docsEnabled) logger.log(`Swagger UI at ${base}/docs (OpenAPI document at ${base}/openapi.json)`);
    if (config.consoleEnabled) logger.log(`Console at http://${shown}:${config.port}/console/`);
    const metrics = app.get(MetricsServer).address();
    if (metrics) logger.log(`Prometheus metrics at http://${metrics.address}:${metrics.port}/metrics`);
  } catch (error) {
    if (stopping) return await finish(0);
    reportStartupFailure(root, error);
    await finish(1);
  }
}

void main();
