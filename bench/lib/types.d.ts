// Shapes shared by the bench's modules (they are plain JavaScript, checked by `tsc -p bench`).

/** Options of one autocannon run (`bench/lib/load.js`). */
export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A body with `[<id>]` placeholders, replaced by an id unique to each request. */
  bodyTemplate?: string;
  connections?: number;
  /** Seconds. */
  duration?: number;
  overallRate?: number;
  /** Bearer tokens, one per request, round-robin. */
  tokens?: string[];
  /** Request bodies, round-robin. */
  bodies?: string[];
  /** Seconds. */
  timeout?: number;
}

/** The summary `bench/lib/load.js` prints. */
export interface LoadRun {
  requests: number;
  seconds: number;
  rps: number;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number };
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** A load run with the CPU time the server process spent meanwhile. */
export interface MeasuredRun extends LoadRun {
  cpuSeconds: number | null;
  /** Server CPU (user + system, all threads) per answered request, µs. */
  cpuPerRequestUs: number | null;
}

/** The runs of one compared route, folded. */
export interface Combined {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  ok2xx: number;
  rounds: { rps: number | null; p50: number; p99: number }[];
  /** Total server CPU over total answered requests, µs; null when not sampled. */
  cpuPerRequestUs: number | null;
}

/** What `bench/lib/argon2-raw.js` prints. */
export interface RawArgon2Run {
  mode: 'verify' | 'hash';
  concurrency: number;
  threadpool: number;
  operations: number;
  /** = operations, in verify mode */
  verifies?: number;
  seconds: number;
  perSecond: number;
  hwmMb: number;
}

export interface FloodStatus {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** What `bench/lib/flood.js` prints. */
export interface FloodRun {
  rate: number;
  sent: number;
  sendSeconds: number;
  drainSeconds: number;
  maxInFlight: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, FloodStatus>;
}

export interface Memory {
  rssMb: number | null;
  hwmMb: number | null;
}

export interface ServerHandle {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>/api` */
  base: string;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
  alive(): boolean;
}

export interface BareHandle {
  pid: number;
  url: string;
  versions: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  dbUrl: string;
  workDir: string;
  name: string;
  /** A null removes the variable. */
  extraEnv?: EnvOverrides;
}

export type EnvOverrides = Record<string, string | null | undefined>;

export interface ApiAnswer {
  status: number;
  // the parsed JSON body, or the text when it is not JSON
  body: unknown;
}

/** The server's effective settings, read with the app's own loadConfig once it is built. */
export interface Settings {
  hashConcurrency: number;
  hashQueueLimit: number;
  poolSize: number;
  touchIntervalS: number;
  loginConnections: number;
  /** Runtime variables of the production image (Dockerfile ENV) that change how the process runs. */
  imageEnv: Record<string, string>;
  /** The built server's entry point. */
  serverMain: string;
}

export interface Argon2Parameters {
  type: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The part of the app's configuration the bench reads (never writes: it may be frozen). */
export interface AppConfigView {
  readonly hashConcurrency: number;
  readonly hashQueueLimit: number;
  readonly databasePoolSize: number;
  readonly sessionTouchIntervalMs?: number;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The modules of the built app the bench uses (`bench/lib/app.js`). */
export interface AppModules {
  loadConfig(env: Record<string, string | undefined>): AppConfigView;
  startEmbeddedPostgres(
    dataDir: string,
    logger: { log(message: string): void; warn(message: string): void },
    options: { database: string },
  ): Promise<EmbeddedPostgres>;
  /** null when the hasher module was not found in the build. */
  argon2Parameters: Argon2Parameters | null;
  /** The hasher module's path inside the build, or why it was not read. */
  hasherSource: string;
}

export interface AdminMeasure {
  missing: boolean;
  status: number;
  failed?: boolean;
  body?: unknown;
  p50?: number;
  p99?: number;
  requests?: number;
  mean?: number;
}

export type AdminSet = Record<string, AdminMeasure>;

export interface LeverRow {
  lever: string;
  value: string;
  rates?: { defaults: number; mmap: number; arena: number };
}

export interface MemoryMark extends Memory {
  label: string;
  /** The glibc heap's resident part (`[heap]` in smaps), MB. */
  cHeapMb?: number | null;
}

export interface FloodResults {
  capacity: number;
  rate: number;
  quiet: LoadRun;
  quietAfter: LoadRun;
  quietP99: number;
  loud: LoadRun;
  result: FloodRun;
}

/** One argon2 rate, per round. */
export interface RawRates {
  perSecond: number;
  rounds: (number | null)[];
}

/**
 * Everything one run measured. The report reads it once every phase has run; the fields marked
 * optional may be absent (quick mode, a missing route).
 */
export interface Results {
  notes: string[];
  levers: LeverRow[];
  phases: { seedSmallSeconds: number; seedLargeSeconds?: number; analyzeSeconds?: number };
  loadSamples: number[];
  loadAtStart: number[];
  git: string;
  dbMode: string;
  pgVersion: string;
  argon2: string;
  /** Where the argon2 parameters came from (the hasher module's path in the build). */
  hasherSource: string;
  baselineRoute: string;
  /** The bare NestJS + Fastify app: package versions, memory. */
  bare: { versions: Record<string, string>; rssRestMb: number | null; rssPeakMb: number | null };
  bareRun: Combined;
  baseline: Combined;
  whoami: Combined;
  login: Combined;
  register: Combined;
  raw: RawRates;
  rawHash: RawRates;
  /** CPU of making one file / one folder on DATA_DIR's filesystem and on tmpfs (measure.fileCreationCost). */
  fileCreation: { dataDir: FileCreationCost | null; tmpfs: FileCreationCost | null } | null;
  ratios: {
    whoamiRps: number;
    whoamiP99: number;
    login: number;
    trivialVsBare: number;
    whoamiVsBare: number;
    whoamiP99VsBare: number;
    register: number;
  };
  touches: {
    writes: number;
    requests: number;
    sessions: number;
    /** From the first /whoami run's start to the last one's end. */
    spanSeconds: number;
    /** The /whoami runs' own seconds, one per run. */
    runSeconds: number[];
    intervalSeconds: number;
    bound: number;
  };
  flood: FloodResults;
  admin: { small: AdminSet; large?: AdminSet; largeWithTrgm?: AdminMeasure };
  userTriggers?: string[];
  userIndexes?: string[];
  /** 2 s after start-up and the 10k seed. */
  rssStartMb: number | null;
  /** After start-up and the 10k seed, idle 25 s. */
  rssRestMb: number | null;
  /** After every phase, idle 25 s. */
  rssRestAfterLoadMb: number | null;
  /** Where the resident memory is, at rest after start-up and after the load (`residentParts`). */
  restParts?: ResidentParts | null;
  restAfterLoadParts?: ResidentParts | null;
  /** VmHWM once the 50-connection runs (bare ceiling, trivial route, /whoami) are done. */
  rssPeak50Mb: number | null;
  rssAfterMb: number | null;
  rssPeakMb: number;
  memPhases: MemoryMark[];
}

export interface ResidentParts {
  cHeapMb: number;
  otherAnonMb: number;
  fileMb: number;
}

/** One row of the targets table. */
export interface TargetRow {
  target: string;
  measured: string;
  ratio: string;
  verdict: string;
}

export interface FileCreationCost {
  fileUs: number;
  folderUs: number;
}
