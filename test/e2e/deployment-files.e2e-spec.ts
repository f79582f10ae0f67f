import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The deployment files (Dockerfile, docker-compose.yml, .env.example, .dockerignore) checked
 * without a Docker engine, which these machines do not have:
 * - docker-compose.yml: `docker compose config` (or `docker-compose config`) when a client is on
 *   PATH, run exactly as docs/DEPLOYMENT.md tells a user (cp .env.example .env, set JWT_SECRET);
 *   its structure is always checked by parsing the file itself.
 * - Dockerfile: parsed into stages and instructions; the HEALTHCHECK script is run against a fake
 *   fetch to prove which URL it asks.
 * - .env.example: names every variable that src/config/load-config.ts reads, so a new variable
 *   without a line there fails here.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Yaml = null | string | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

// ---------------------------------------------------------------------------------------------
// YAML: js-yaml when the dependency tree has it (today through @nestjs/swagger), else a parser of
// the small subset these files use (block mappings and sequences, plain/quoted scalars, flow
// sequences of quoted strings). A test below keeps the two in agreement while both exist.

function loadJsYaml(): ((text: string) => unknown) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('js-yaml') as { load: (text: string) => unknown }).load;
  } catch {
    return undefined;
  }
}

function parseScalar(text: string): Yaml {
  const value = text.trim();
  if (value === '' || value === '~' || value === 'null') return null;
  if (value === '{}') return {};
  if (value === '[]') return [];
  if (value.startsWith('"')) return JSON.parse(value) as string;
  if (value.startsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  if (value.startsWith('[')) {
    // Flow sequences: only of double-quoted strings (valid JSON) in these files.
    return (JSON.parse(value) as unknown[]).map(String);
  }
  if (/^[[{&*!|>%@`]/.test(value)) throw new Error(`YAML subset parser: unsupported value ${value}`);
  return value;
}

function parseYamlSubset(text: string): Yaml {
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*#/.test(line))
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let i = 0;
  const block = (indent: number): Yaml => {
    if (lines[i].text.startsWith('- ') || lines[i].text === '-') {
      const items: Yaml[] = [];
      while (i < lines.length && lines[i].indent === indent && lines[i].text.startsWith('-')) {
        const item = lines[i].text.slice(1).trimStart();
        if (/^[^\s'"[{][^:]*:(\s|$)/.test(item)) {
          // "- key: value" opens a mapping whose keys line up with this first one.
          const itemIndent = indent + (lines[i].text.length - item.length);
          lines[i] = { indent: itemIndent, text: item };
          items.push(block(itemIndent));
        } else {
          items.push(parseScalar(item));
          i += 1;
        }
      }
      return items;
    }
    const map: YamlMap = {};
    while (i < lines.length && lines[i].indent === indent) {
      const match = /^([^\s:'"][^:]*?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(lines[i].text);
      if (!match) throw new Error(`YAML subset parser: cannot read "${lines[i].text}"`);
      const key = String(parseScalar(match[1]));
      i += 1;
      if (match[2] !== undefined && match[2] !== '') {
        map[key] = parseScalar(match[2]);
      } else if (i < lines.length && lines[i].indent > indent) {
        map[key] = block(lines[i].indent);
      } else if (i < lines.length && lines[i].indent === indent && lines[i].text.startsWith('-')) {
        map[key] = block(indent); // a sequence written at its key's own indent
      } else {
        map[key] = null;
      }
    }
    return map;
  };
  const result = lines.length === 0 ? null : block(lines[0].indent);
  if (i !== lines.length) throw new Error(`YAML subset parser: stopped at "${lines[i].text}"`);
  return result;
}

const jsYaml = loadJsYaml();
const parseYaml = (text: string): Yaml => (jsYaml ? (jsYaml(text) as Yaml) : parseYamlSubset(text));

function asMap(value: Yaml | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  }
  return value;
}

/** `environment:` as a map, from either of its two forms (map, or list of KEY=value). */
function environmentOf(service: YamlMap): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((item) => String(item).split(/=(.*)/s).slice(0, 2)));
  }
  return Object.fromEntries(Object.entries(asMap(env, 'environment')).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `depends_on:` as service → condition, from the short (list) or long (map) form. */
function dependsOnOf(service: YamlMap): Record<string, string | undefined> {
  const deps = service.depends_on;
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [String(name), undefined]));
  return Object.fromEntries(
    Object.entries(asMap(deps, 'depends_on')).map(([name, spec]) => [
      name,
      spec && typeof spec === 'object' && !Array.isArray(spec) ? String(spec.condition) : undefined,
    ]),
  );
}

/** Volume mounts as "source:target", from the short ("src:dst[:mode]") or long form. */
function mountsOf(service: YamlMap): string[] {
  const volumes = service.volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes.map((volume) => {
    if (typeof volume === 'string') return volume.split(':').slice(0, 2).join(':');
    const long = asMap(volume, 'volume');
    return `${String(long.source)}:${String(long.target)}`;
  });
}

function healthcheckTestOf(service: YamlMap): string[] | undefined {
  const test = service.healthcheck && asMap(service.healthcheck, 'healthcheck').test;
  if (test === undefined || test === null) return undefined;
  return Array.isArray(test) ? test.map(String) : ['CMD-SHELL', String(test)];
}

/** The structure docker-compose.yml must have, asserted on the file or on `config` output. */
function expectComposeStructure(doc: Yaml): void {
  const root = asMap(doc, 'compose file');
  const services = asMap(root.services, 'services');
  expect(Object.keys(services).sort()).toEqual(['app', 'db', 'redis']);
  expect(Object.keys(asMap(root.volumes, 'volumes')).sort()).toEqual(['gatehouse-data', 'gatehouse-db']);

  const db = asMap(services.db, 'db');
  expect(String(db.image)).toMatch(/^postgres:(17|18)\b/);
  // postgres:18 keeps its data under /var/lib/postgresql/18/docker: the volume goes one level up.
  expect(mountsOf(db)).toContain(
    String(db.image).startsWith('postgres:18') ? 'gatehouse-db:/var/lib/postgresql' : 'gatehouse-db:/var/lib/postgresql/data',
  );
  expect(healthcheckTestOf(db)?.join(' ')).toContain('pg_isready');

  const redis = asMap(services.redis, 'redis');
  expect(String(redis.image)).toMatch(/^redis:7/);
  expect(healthcheckTestOf(redis)?.join(' ')).toMatch(/redis-cli.*ping/);

  const app = asMap(services.app, 'app');
  expect(app.build).toBeDefined();
  expect(dependsOnOf(app)).toEqual({ db: 'service_healthy', redis: 'service_healthy' });
  expect(mountsOf(app)).toContain('gatehouse-data:/data');
  expect(String(app.restart)).toBe('unless-stopped');
  const env = environmentOf(app);
  expect(env.NODE_ENV).toBe('production');
  expect(env.DATA_DIR).toBe('/data');
  expect(env.PORT).toBe('3000');
  expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@db:5432\/.+/);
  expect(env.REDIS_URL).toMatch(/redis:\/\/redis:6379|\$\{REDIS_URL:-redis:\/\/redis:6379\}/);
  expect(env.JWT_SECRET).toBeDefined();
  expect(healthcheckTestOf(app)?.join(' ')).toContain('/health/ready');
}

// ---------------------------------------------------------------------------------------------
// Dockerfile: instructions (continuations joined, comments dropped) split into stages.

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let current: Instruction | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (current === undefined && line.trim() === '')) return; // comments (also inside continuations)
    const continued = /\\\s*$/.test(line);
    const body = line.replace(/\\\s*$/, '');
    if (current === undefined) {
      const match = /^\s*(\S+)\s*(.*)$/.exec(body)!;
      current = { keyword: match[1].toUpperCase(), args: match[2], line: index + 1 };
    } else {
      current.args += ` ${body.trim()}`;
    }
    if (!continued) {
      current.args = current.args.trim();
      instructions.push(current);
      current = undefined;
    }
  });
  if (current) throw new Error(`Dockerfile ends inside a continued ${current.keyword} (line ${current.line})`);
  return instructions;
}

function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`);
      continue;
    }
    stages[stages.length - 1].push(instruction);
  }
  return stages;
}

/** ENV in both forms: `ENV A=1 B="two"` and the legacy `ENV A 1`. */
function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage) {
    if (keyword !== 'ENV') continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
      const [name, ...rest] = args.split(/\s+/);
      env[name] = rest.join(' ');
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      env[match[1]] = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
    }
  }
  return env;
}

/** The exec-form array of HEALTHCHECK … CMD [...] or CMD [...]. */
function execForm(args: string): string[] {
  const json = /(?:^|\s)CMD\s+(\[.*\])\s*$/.exec(args)?.[1] ?? (args.startsWith('[') ? args : undefined);
  if (!json) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(json) as string[];
}

/** Runs a `node -e` health-check script with a fake fetch; resolves with the URL asked and the exit code. */
function runHealthScript(script: string, env: Record<string, string>, answer: { ok: boolean } | Error) {
  return new Promise<{ url: string; exitCode: number }>((resolve, reject) => {
    let url = '';
    const fakeProcess = { env, exit: (code: number) => resolve({ url, exitCode: code }) };
    const fakeFetch = (target: string) => {
      url = target;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    };
    try {
      new Function('process', 'fetch', 'AbortSignal', script)(fakeProcess, fakeFetch, AbortSignal);
    } catch (error) {
      reject(error as Error);
    }
    setTimeout(() => reject(new Error('health script never called process.exit')), 2000).unref();
  });
}

// ---------------------------------------------------------------------------------------------
// Compose client on PATH, if any (none on these machines unless Debian's docker-compose is installed).

function composeClient(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0], [...command.slice(1), 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return command;
  }
  return undefined;
}

const SECRET = 'x'.repeat(20) + Buffer.from('deployment-files test secret').toString('base64');

describe('deployment files', () => {
  describe('docker-compose.yml', () => {
    const source = read('docker-compose.yml');

    it('has db (named volume, pg_isready), redis (redis-cli ping) and app (build, healthy dependencies, data volume)', () => {
      expectComposeStructure(parseYaml(source));
    });

    it('wires the app to the environment: secret required, database URL from the db variables, published port', () => {
      const app = asMap(asMap(asMap(parseYaml(source), 'root').services, 'services').app, 'app');
      const env = environmentOf(app);
      // Interpolation fails the whole command, with this message, while JWT_SECRET is empty.
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.*JWT_SECRET.*\}$/);
      expect(env.DATABASE_URL).toBe(
        'postgres://${POSTGRES_USER:-gatehouse}:${POSTGRES_PASSWORD:-gatehouse}@db:5432/${POSTGRES_DB:-gatehouse}',
      );
      expect(app.ports).toEqual(['${PORT:-3000}:3000']);
      expect(app.env_file).toEqual(['.env']);
    });

    it('runs the same health check as the Dockerfile', () => {
      const app = asMap(asMap(asMap(parseYaml(source), 'root').services, 'services').app, 'app');
      const dockerfileCheck = parseDockerfile(read('Dockerfile')).find((i) => i.keyword === 'HEALTHCHECK')!;
      expect(healthcheckTestOf(app)).toEqual(['CMD', ...execForm(dockerfileCheck.args)]);
    });

    (jsYaml ? it : it.skip)('is read the same by js-yaml and by the fallback subset parser', () => {
      // The subset parser keeps every scalar a string (compose accepts both for these fields).
      const strings = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(strings)
          : value !== null && typeof value === 'object'
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strings(v)]))
            : value === null
              ? null
              : String(value);
      expect(parseYamlSubset(source)).toEqual(strings(jsYaml!(source)));
    });

    const client = composeClient();
    (client ? it : it.skip)(
      `is accepted by \`${client?.join(' ') ?? 'docker compose'} config\` after cp .env.example .env and setting JWT_SECRET`,
      () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-compose-'));
        try {
          for (const file of ['docker-compose.yml', 'Dockerfile', '.dockerignore'])
            copyFileSync(path.join(ROOT, file), path.join(dir, file));
          const example = read('.env.example');
          // Only PATH and HOME: no JWT_SECRET, PORT… of this machine may leak into the interpolation.
          const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir };
          const config = () =>
            spawnSync(client![0], [...client!.slice(1), 'config'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });

          writeFileSync(path.join(dir, '.env'), example);
          const refused = config();
          expect(refused.status).not.toBe(0);
          expect(refused.stderr).toContain('set JWT_SECRET in .env');

          writeFileSync(path.join(dir, '.env'), example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${SECRET}`));
          const accepted = config();
          expect({ status: accepted.status, stderr: accepted.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
          const normalised = parseYaml(accepted.stdout);
          expectComposeStructure(normalised);
          const app = asMap(asMap(asMap(normalised, 'root').services, 'services').app, 'app');
          const appEnv = environmentOf(app);
          expect(appEnv.JWT_SECRET).toBe(SECRET);
          expect(appEnv.DATABASE_URL).toBe('postgres://gatehouse:gatehouse@db:5432/gatehouse');
          expect(appEnv.REDIS_URL).toBe('redis://redis:6379');
          const ports = (app.ports as Yaml[]).map((port) =>
            typeof port === 'string' ? port : `${String(asMap(port, 'port').published)}:${String(asMap(port, 'port').target)}`,
          );
          expect(ports).toEqual(['3000:3000']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });

  describe('Dockerfile', () => {
    const instructions = parseDockerfile(read('Dockerfile'));
    const stages = stagesOf(instructions);
    const build = stages[0];
    const final = stages[stages.length - 1];
    const argsOf = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

    it('has a build stage and a final stage, both on node:20-bookworm-slim', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(build[0].args).toMatch(/^node:20-bookworm-slim\s+AS\s+build$/i);
      expect(final[0].args).toMatch(/^node:20-bookworm-slim(\s+AS\s+\S+)?$/i);
    });

    it('builds with every dependency, then keeps production dependencies only (optional ones included)', () => {
      const runs = argsOf(build, 'RUN').join('\n');
      expect(runs).toMatch(/\bnpm ci\b/);
      expect(runs).toMatch(/\bnest build\b|\bnpm run build\b/);
      expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
      expect(runs).toMatch(/rm -rf[^\n]*node_modules\/typescript\b/);
      expect(instructions.map((i) => i.args).join('\n')).not.toContain('--omit=optional'); // better-sqlite3 stays
      expect(envOf(build).SCARF_ANALYTICS).toBe('false');
      expect(envOf(build).NODE_ENV).toBeUndefined(); // NODE_ENV=production here would skip the devDependencies the build needs
    });

    it('final stage: copies only build output, runs as a non-root user in production mode with DATA_DIR on a volume', () => {
      const copies = argsOf(final, 'COPY');
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) expect(copy).toMatch(/^--from=build\s/);
      expect(copies.some((copy) => /^(--\S+\s+)*\.\s+\.\/?$/.test(copy))).toBe(false); // no COPY . .
      expect(copies.join('\n')).toMatch(/\/app\/dist\b/);

      const users = argsOf(final, 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users[users.length - 1]).not.toMatch(/^(root|0)(:.*)?$/);
      const lastUser = final.findLast((i) => i.keyword === 'USER')!;
      const cmd = final.findLast((i) => i.keyword === 'CMD')!;
      expect(lastUser.line).toBeLessThan(cmd.line);

      const env = envOf(final);
      expect(env.NODE_ENV).toBe('production');
      expect(env.DATA_DIR).toBe('/data');
      expect(argsOf(final, 'VOLUME').join(' ')).toContain('/data');
      expect(argsOf(final, 'EXPOSE')).toEqual(['3000']);
      expect(argsOf(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
      expect(execForm(cmd.args)).toEqual(['node', 'dist/main.js']);
    });

    it('final stage HEALTHCHECK asks http://127.0.0.1:3000/api/health/ready with node fetch, following PORT and API_PREFIX', async () => {
      const checks = final.filter((i) => i.keyword === 'HEALTHCHECK');
      expect(checks).toHaveLength(1);
      expect(checks[0].args).toMatch(/--start-period=\d+s/);
      const [node, flag, script] = execForm(checks[0].args);
      expect([node, flag]).toEqual(['node', '-e']);

      expect(await runHealthScript(script, {}, { ok: true })).toEqual({
        url: 'http://127.0.0.1:3000/api/health/ready',
        exitCode: 0,
      });
      expect(await runHealthScript(script, {}, { ok: false })).toEqual({
        url: 'http://127.0.0.1:3000/api/health/ready',
        exitCode: 1,
      });
      expect((await runHealthScript(script, {}, new Error('ECONNREFUSED'))).exitCode).toBe(1);
      // The app's own rules: blank means default, slashes trimmed, "/" means no prefix.
      expect((await runHealthScript(script, { PORT: '8080', API_PREFIX: '/v1/' }, { ok: true })).url).toBe(
        'http://127.0.0.1:8080/v1/health/ready',
      );
      expect((await runHealthScript(script, { PORT: ' ', API_PREFIX: '  ' }, { ok: true })).url).toBe(
        'http://127.0.0.1:3000/api/health/ready',
      );
      expect((await runHealthScript(script, { API_PREFIX: '/' }, { ok: true })).url).toBe('http://127.0.0.1:3000/health/ready');
    });

    it('.dockerignore keeps secrets and local builds out of the build context', () => {
      const ignored = read('.dockerignore')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      for (const entry of ['.env', 'node_modules/', 'dist/', 'graph_data/', '.git/']) expect(ignored).toContain(entry);
    });
  });

  describe('.env.example', () => {
    const example = read('.env.example');
    const named = (name: string) => new RegExp(`^#?\\s*${name}=`, 'm').test(example);

    it('names every variable that src/config/load-config.ts reads', () => {
      const source = read('src/config/load-config.ts');
      const variables = [...source.matchAll(/\b(?:raw|integer|boolean|postgresUrl)\(env,\s*'([A-Z][A-Z0-9_]*)'/g)].map(
        (m) => m[1],
      );
      expect(variables.length).toBeGreaterThanOrEqual(15); // the extraction itself still works
      expect(variables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'JWT_SECRET', 'DATA_DIR', 'REDIS_URL']));
      expect([...new Set(variables)].filter((name) => !named(name))).toEqual([]);
    });

    it('names every variable of the README configuration table and every ${VAR} of docker-compose.yml', () => {
      const readme = [...read('README.md').matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]);
      const compose = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)[:?}-]/g)].map((m) => m[1]);
      expect(compose).toEqual(expect.arrayContaining(['JWT_SECRET', 'POSTGRES_PASSWORD', 'PORT']));
      expect([...new Set([...readme, ...compose])].filter((name) => !named(name))).toEqual([]);
    });

    it('leaves JWT_SECRET empty, so docker compose refuses to start until a real one is set', () => {
      expect(example).toMatch(/^JWT_SECRET=$/m);
      expect(example).toContain('openssl rand -base64 48');
    });
  });
});
