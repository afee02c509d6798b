/**
 * MiniStack, started for one rehearsal: the pinned copy in rehearsal/.venv,
 * on 127.0.0.1 and a free port, its SES identities seeded through its state
 * folder, and stopped (its whole process group, Lambda workers included) on
 * every way out of this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { REGION, type SeededIdentity } from './world';

const VENV_PYTHON = path.join(__dirname, '.venv', 'bin', 'python');
const HOST = '127.0.0.1';
const READY_WITHIN_MS = 30_000;

export interface MiniStack {
  /** http://127.0.0.1:PORT, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  /** Where it writes its log. */
  readonly logFile: string;
  stop(): void;
}

/** A port nothing listens on now, on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The identities as MiniStack's SES v2 store holds them: its persistence
 * format (ministack/core/persistence.py, format 3 for ses_v2), read once
 * when it starts with PERSIST_STATE=1.
 */
function writeSesState(stateDir: string, identities: readonly SeededIdentity[]): void {
  const data: Record<string, unknown> = {};
  for (const { account, name, answer } of identities) {
    // The key is (account, region, repr(name)); repr of a plain domain is the name in single quotes.
    data[`${account}\u0000${REGION}\u0000'${name}'`] = { EmailIdentity: name, ...answer };
  }
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'ses_v2.json'), JSON.stringify({
    __ministack_format__: 3,
    payload: { _identities: { __account_region_scoped__: true, data } },
  }));
}

export async function startMiniStack(workDir: string, identities: readonly SeededIdentity[]): Promise<MiniStack> {
  if (!fs.existsSync(VENV_PYTHON)) {
    throw new Error(`MiniStack is not installed in ${path.dirname(path.dirname(VENV_PYTHON))}: run bash rehearsal/install-ministack.sh (npx projen rehearse does).`);
  }
  const stateDir = path.join(workDir, 'ministack-state');
  writeSesState(stateDir, identities);
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  const logFile = path.join(workDir, 'ministack.log');
  const log = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(VENV_PYTHON, ['-m', 'ministack'], {
    cwd: workDir,
    // Its own process group, so that stopping it stops the Lambda workers it spawned.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: workDir,
      BIND_HOST: HOST,
      GATEWAY_PORT: String(port),
      MINISTACK_REGION: REGION,
      PERSIST_STATE: '1',
      STATE_DIR: stateDir,
      // Lambda workers inherit this process's environment: no stray credentials or SDK notices.
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  fs.closeSync(log);
  let stopped = false;
  const stop = (): void => {
    if (stopped || child.pid === undefined) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Every way out: a normal end, an uncaught error, Ctrl-C, a CI runner's TERM.
  process.on('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }

  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`MiniStack exited with code ${child.exitCode} before it was ready; its log: ${logFile}\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${endpoint}/_ministack/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`MiniStack did not answer ${endpoint}/_ministack/health within ${READY_WITHIN_MS / 1000} s; its log: ${logFile}\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const loaded = fs.readFileSync(logFile, 'utf8').includes('Loaded persisted state for ses_v2');
  if (!loaded) {
    stop();
    throw new Error(`MiniStack started without the seeded SES identities (no "Loaded persisted state for ses_v2" in ${logFile}).`);
  }
  return { endpoint, logFile, stop };
}

/** The last lines of a file, for an error message. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
