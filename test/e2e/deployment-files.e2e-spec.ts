import { DockerfileParser, Env, type Instruction, ModifiableInstruction } from 'dockerfile-ast';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { checkHaproxyConfig, localHaproxyConfig, SHIPPED_HAPROXY_CFG } from '../utils/haproxy';

/**
 * The deployment files (Dockerfile, docker-compose.yml, deploy/haproxy.cfg, .env.example,
 * .dockerignore) checked without a Docker engine, which these machines do not have:
 * - docker-compose.yml: `docker compose config` (or `docker-compose config`) when a client is on
 *   PATH, run exactly as docs/DEPLOYMENT.md tells a user (cp .env.example .env, set JWT_SECRET);
 *   its structure is always checked by parsing the file itself (with the `yaml` package).
 * - deploy/haproxy.cfg: `haproxy -c` (Debian's haproxy), and the settings docs/DEPLOYMENT.md
 *   promises; test/e2e/rolling-restart.e2e-spec.ts runs it in front of restarting servers.
 * - Dockerfile: parsed with `dockerfile-ast` and split into stages; the HEALTHCHECK script is run
 *   against a fake fetch to prove which URL it asks.
 * - .env.example: names every variable that src/config/load-config.ts reads, so a new variable
 *   without a line there fails here.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

type Yaml = null | string | number | boolean | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

/** YAML 1.2 as compose reads it: duplicate keys are an error, `<<` merges an anchored mapping. */
const parseYaml = (text: string): Yaml => parse(text, { merge: true }) as Yaml;

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

/** Published ports as "[host_ip:]published:target" (TCP), from the short or the long form. */
function portsOf(service: YamlMap): string[] {
  const ports = service.ports;
  if (!Array.isArray(ports)) return [];
  return ports.map((port) => {
    // `config` of docker-compose 1.29 adds the protocol (`/tcp`); Compose v2 writes the long form.
    if (typeof port !== 'object' || port === null || Array.isArray(port)) return String(port).replace(/\/tcp$/, '');
    const ip = port.host_ip ? `${String(port.host_ip)}:` : '';
    return `${ip}${String(port.published)}:${String(port.target)}`;
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
  expect(Object.keys(services).sort()).toEqual(['app', 'db', 'haproxy', 'mailpit', 'redis']);
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

  // A mail catcher for trying it out (docs/DEPLOYMENT.md, Mail): its web UI on the host's loopback only.
  const mailpit = asMap(services.mailpit, 'mailpit');
  expect(String(mailpit.image)).toMatch(/^axllent\/mailpit\b/);
  expect(portsOf(mailpit)).toEqual(['127.0.0.1:8025:8025']);

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
  expect(env.SMTP_URL).toMatch(/^(smtp:\/\/mailpit:1025|\$\{SMTP_URL:-smtp:\/\/mailpit:1025\})$/);
  expect(env.JWT_SECRET).toBeDefined();
  expect(healthcheckTestOf(app)?.join(' ')).toContain('/health/ready');
  // Several replicas (`--scale app=3`): no host port, no fixed name; haproxy is the way in.
  expect(portsOf(app)).toEqual([]);
  expect(app.container_name).toBeUndefined();
  expect((app.expose as Yaml[]).map(String)).toContain('3000');

  const haproxy = asMap(services.haproxy, 'haproxy');
  expect(String(haproxy.image)).toMatch(/^haproxy:\d+\.\d+/);
  expect(haproxy.volumes).toEqual([expect.stringMatching(/deploy\/haproxy\.cfg:\/usr\/local\/etc\/haproxy\/haproxy\.cfg:ro$/)]);
  expect(Object.keys(dependsOnOf(haproxy))).toEqual(['app']);
  expect([undefined, 'service_started']).toContain(dependsOnOf(haproxy).app);
  // X-Forwarded-For is believed from exactly that proxy: a fixed address, outside the dynamic range.
  const address = String(asMap(asMap(haproxy.networks, 'haproxy networks').default, 'default network').ipv4_address);
  expect(env.TRUST_PROXY).toBe(address);
  const [ipam] = asMap(asMap(asMap(root.networks, 'networks').default, 'default').ipam, 'ipam').config as YamlMap[];
  const [subnet, range] = [String(ipam.subnet), String(ipam.ip_range)];
  const inside = (ip: string, cidr: string) => {
    const [base, bits] = cidr.split('/');
    const value = (text: string) => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(value(ip) / size) === Math.floor(value(base) / size);
  };
  expect(inside(address, subnet)).toBe(true);
  expect(inside(address, range)).toBe(false);
  expect(inside(range.split('/')[0], subnet)).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Dockerfile, as dockerfile-ast reads it: continuations joined, comments dropped, flags apart from
// the arguments (`getArgumentsContent()` of `COPY --from=build a b` is `a b`).

/** Instructions by stage: each FROM opens one, and only ARG may come before the first. */
function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') stages.push([]);
    if (stages.length === 0) {
      if (instruction.getKeyword() !== 'ARG') throw new Error(`${instruction.getKeyword()} before the first FROM`);
      continue;
    }
    stages[stages.length - 1].push(instruction);
  }
  return stages;
}

const ofKind = (stage: Instruction[], keyword: string) => stage.filter((i) => i.getKeyword() === keyword);
/** The arguments of each `keyword` instruction of a stage, as text without the flags. */
const argsOf = (stage: Instruction[], keyword: string) => ofKind(stage, keyword).map((i) => i.getArgumentsContent() ?? '');

/** Flags such as `--from=build` or `--start-period=60s`, by name. */
function flagsOf(instruction: Instruction): Record<string, string | null> {
  if (!(instruction instanceof ModifiableInstruction)) return {};
  return Object.fromEntries(instruction.getFlags().map((flag) => [flag.getName(), flag.getValue()]));
}

/** ENV in both forms, `ENV A=1 B="two"` and the legacy `ENV A 1`, with quotes removed. */
function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage) {
    if (!(instruction instanceof Env)) continue;
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  return env;
}

/** The exec-form array of `HEALTHCHECK [flags] CMD [...]` or `CMD [...]`. */
function execForm(instruction: Instruction): string[] {
  const args = instruction.getArgumentsContent() ?? '';
  const json = /^(?:CMD\s+)?(\[.*\])\s*$/s.exec(args)?.[1];
  if (!json) throw new Error(`not in exec form: ${instruction.getKeyword()} ${args}`);
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
      expect(app.ports).toBeUndefined();
      const haproxy = asMap(asMap(asMap(parseYaml(source), 'root').services, 'services').haproxy, 'haproxy');
      expect(haproxy.ports).toEqual(['${PORT:-3000}:3000']);
      expect(app.env_file).toEqual(['.env']);
    });

    it('runs the same health check as the Dockerfile', () => {
      const app = asMap(asMap(asMap(parseYaml(source), 'root').services, 'services').app, 'app');
      const [dockerfileCheck] = ofKind(DockerfileParser.parse(read('Dockerfile')).getInstructions(), 'HEALTHCHECK');
      expect(healthcheckTestOf(app)).toEqual(['CMD', ...execForm(dockerfileCheck)]);
    });

    it('is accepted by `docker compose config` (or docker-compose) after cp .env.example .env and setting JWT_SECRET', () => {
      // npm test installs Debian's docker-compose when no client is there (scripts/ensure-test-tools.sh).
      const client = composeClient();
      if (!client) throw new Error('neither `docker compose` nor `docker-compose` runs: apt-get install docker-compose');
      const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-compose-'));
      try {
        mkdirSync(path.join(dir, 'deploy'));
        for (const file of ['docker-compose.yml', 'Dockerfile', '.dockerignore', 'deploy/haproxy.cfg'])
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

        const withSecret = example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${SECRET}`);
        writeFileSync(path.join(dir, '.env'), withSecret);
        const noAdmin = config();
        expect(noAdmin.status).not.toBe(0);
        expect(noAdmin.stderr).toContain('set BOOTSTRAP_ADMIN_');

        writeFileSync(
          path.join(dir, '.env'),
          withSecret
            .replace(/^BOOTSTRAP_ADMIN_USERNAME=.*$/m, 'BOOTSTRAP_ADMIN_USERNAME=admin')
            .replace(/^BOOTSTRAP_ADMIN_EMAIL=.*$/m, 'BOOTSTRAP_ADMIN_EMAIL=admin@example.org')
            .replace(/^BOOTSTRAP_ADMIN_PASSWORD=.*$/m, 'BOOTSTRAP_ADMIN_PASSWORD=a long admin password'),
        );
        const accepted = config();
        expect({ status: accepted.status, stderr: accepted.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
        const normalised = parseYaml(accepted.stdout);
        expectComposeStructure(normalised);
        const app = asMap(asMap(asMap(normalised, 'root').services, 'services').app, 'app');
        const appEnv = environmentOf(app);
        expect(appEnv.JWT_SECRET).toBe(SECRET);
        expect(appEnv.DATABASE_URL).toBe('postgres://gatehouse:gatehouse@db:5432/gatehouse');
        expect(appEnv.REDIS_URL).toBe('redis://redis:6379');
        expect(appEnv.SMTP_URL).toBe('smtp://mailpit:1025');
        // Nobody becomes superuser by reaching the port first; metrics stay inside the network.
        expect(appEnv).toMatchObject({
          FIRST_USER_SUPERUSER: 'false',
          BOOTSTRAP_ADMIN_USERNAME: 'admin',
          METRICS_HOST: '0.0.0.0',
        });
        expect(appEnv.TRUST_PROXY).toBe('172.29.80.10');
        const haproxy = asMap(asMap(asMap(normalised, 'root').services, 'services').haproxy, 'haproxy');
        const ports = (haproxy.ports as Yaml[]).map((port) =>
          typeof port === 'string' ? port : `${String(asMap(port, 'port').published)}:${String(asMap(port, 'port').target)}`,
        );
        expect(ports).toEqual(['3000:3000']);
        expect(app.ports).toBeUndefined();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('deploy/haproxy.cfg', () => {
    const cfg = readFileSync(SHIPPED_HAPROXY_CFG, 'utf8');
    const lines = cfg.split('\n').map((line) => line.trim());

    it('is valid for haproxy -c', () => {
      expect(checkHaproxyConfig(SHIPPED_HAPROXY_CFG)).toEqual({ status: 0, output: expect.stringContaining('valid') });
    });

    it("checks readiness, retries a refused or unanswered request on another instance, and finds the replicas in Docker's DNS", () => {
      for (const line of [
        'bind :3000',
        'option forwardfor',
        'option httpchk',
        'http-check send meth GET uri /api/health/ready',
        'http-check expect status 200',
        'retry-on conn-failure empty-response',
        'option redispatch 1',
        'nameserver dns 127.0.0.11:53',
      ]) {
        expect(lines).toContain(line);
      }
      expect(lines).toContainEqual(expect.stringMatching(/^retries [1-9]$/));
      expect(lines).toContainEqual(expect.stringMatching(/^default-server inter \d+s fall \d+ rise \d+$/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^server-template app \d+ app:3000 check resolvers docker init-addr none$/),
      );
    });

    it("becomes the rolling-restart test's configuration by swapping only where the servers are", () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-haproxy-'));
      try {
        const local = localHaproxyConfig(18080, [18081, 18082]);
        expect(local).not.toMatch(/^\s*(resolvers|nameserver|server-template)\b/m);
        expect(local).toContain('server app2 127.0.0.1:18082 check');
        writeFileSync(path.join(dir, 'haproxy.cfg'), local);
        expect(checkHaproxyConfig(path.join(dir, 'haproxy.cfg')).status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('Dockerfile', () => {
    const instructions = DockerfileParser.parse(read('Dockerfile')).getInstructions();
    const stages = stagesOf(instructions);
    const build = stages[0];
    const final = stages[stages.length - 1];

    it('has a build stage and a final stage, both on node:24-bookworm-slim (an LTS line that CI tests on)', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(argsOf(build, 'FROM')).toEqual([expect.stringMatching(/^node:24-bookworm-slim\s+AS\s+build$/i)]);
      expect(argsOf(final, 'FROM')).toEqual([expect.stringMatching(/^node:24-bookworm-slim(\s+AS\s+\S+)?$/i)]);
      // .ci/run runs the suite on Node 24 as well as on the machine's Node.
      expect(read('.ci/run')).toMatch(/^SECOND_NODE_VERSION=24\./m);
    });

    it('builds with every dependency, then keeps production dependencies only (optional ones included)', () => {
      const runs = argsOf(build, 'RUN').join('\n');
      expect(runs).toMatch(/\bnpm ci\b/);
      expect(runs).toMatch(/\bnest build\b|\bnpm run build\b/);
      expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
      expect(runs).toMatch(/rm -rf[^\n]*node_modules\/typescript\b/);
      expect(instructions.map((i) => i.getArgumentsContent()).join('\n')).not.toContain('--omit=optional'); // better-sqlite3 stays
      expect(envOf(build).SCARF_ANALYTICS).toBe('false');
      expect(envOf(build).NODE_ENV).toBeUndefined(); // NODE_ENV=production here would skip the devDependencies the build needs
    });

    it('final stage: copies only build output, runs as a non-root user in production mode with DATA_DIR on a volume', () => {
      const copies = ofKind(final, 'COPY');
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) expect(flagsOf(copy).from).toBe('build');
      expect(copies.some((copy) => /^\.\s+\.\/?$/.test(copy.getArgumentsContent() ?? ''))).toBe(false); // no COPY . .
      expect(argsOf(final, 'COPY').join('\n')).toMatch(/\/app\/dist\b/);

      const users = argsOf(final, 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users[users.length - 1]).not.toMatch(/^(root|0)(:.*)?$/);
      const lastUser = ofKind(final, 'USER').at(-1)!;
      const cmd = ofKind(final, 'CMD').at(-1)!;
      expect(lastUser.getRange().start.line).toBeLessThan(cmd.getRange().start.line);

      const env = envOf(final);
      expect(env.NODE_ENV).toBe('production');
      expect(env.DATA_DIR).toBe('/data');
      expect(argsOf(final, 'VOLUME').join(' ')).toContain('/data');
      expect(argsOf(final, 'EXPOSE')).toEqual(['3000']);
      expect(argsOf(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
      expect(execForm(cmd)).toEqual(['node', 'dist/main.js']);
    });

    it('final stage HEALTHCHECK asks http://127.0.0.1:3000/api/health/ready with node fetch, following PORT and API_PREFIX', async () => {
      const checks = ofKind(final, 'HEALTHCHECK');
      expect(checks).toHaveLength(1);
      expect(flagsOf(checks[0])['start-period']).toMatch(/^\d+s$/);
      const [node, flag, script] = execForm(checks[0]);
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

    it('names every ${VAR} of docker-compose.yml', () => {
      const compose = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)[:?}-]/g)].map((m) => m[1]);
      expect(compose).toEqual(expect.arrayContaining(['JWT_SECRET', 'POSTGRES_PASSWORD', 'PORT']));
      expect([...new Set(compose)].filter((name) => !named(name))).toEqual([]);
    });

    it('has every variable the service reads documented in docs/API.md §17 Configuration', () => {
      const api = read('docs/API.md');
      const section = api.slice(api.indexOf('## 17. Configuration'));
      const documented = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
      const source = read('src/config/load-config.ts');
      const read_ = [...source.matchAll(/\b(?:raw|integer|boolean|postgresUrl)\(env,\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]);
      expect(read_.filter((name) => !documented.has(name))).toEqual([]);
    });

    it('leaves JWT_SECRET empty, so docker compose refuses to start until a real one is set', () => {
      expect(example).toMatch(/^JWT_SECRET=$/m);
      expect(example).toContain('openssl rand -base64 48');
    });
  });
});
