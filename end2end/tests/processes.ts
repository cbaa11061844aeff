import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

// Processes a spec starts, stops and restarts itself (the recovery spec breaks the network under a
// call): coturn, and a server of its own on a file database, so that state outlives a restart.
// scripts/test passes the built server as SERVER_BIN; coturn is Debian's /usr/bin/turnserver.

export const serverBin = process.env.SERVER_BIN;
export const turnserverBin = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';
const repoRoot = path.join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function until(what: string, ready: () => Promise<boolean>, child: ChildProcess, log: string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited (${child.exitCode}):\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
    }
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up:\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Stops `child` with `signal` and waits for it to exit. */
async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** A process that can be stopped and started again with the same command line. */
class Restartable {
  private child?: ChildProcess;
  private readonly logFile: string;

  constructor(
    private readonly what: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly ready: () => Promise<boolean>,
    dir: string,
  ) {
    this.logFile = path.join(dir, `${what}.log`);
  }

  /** Starts the process unless it runs. */
  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    const log = fs.openSync(this.logFile, 'a');
    this.child = spawn(this.command, this.args, { cwd: repoRoot, env: this.env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    await until(this.what, this.ready, this.child, this.logFile);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stop(this.child, signal);
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }
}

/** coturn on 127.0.0.1 (use-auth-secret, as scripts/test starts it), not started yet; `stop`
 * loses its allocations. */
export class Coturn extends Restartable {
  static async create(secret: string): Promise<Coturn> {
    const port = await freePort();
    const dir = tempDir('callhub-turn-');
    const relayMin = 20000 + Math.floor(Math.random() * 30000);
    const args = [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      `--min-port=${relayMin}`, `--max-port=${relayMin + 49}`, '--use-auth-secret',
      `--static-auth-secret=${secret}`, '--realm=callhub', '--no-tls', '--no-dtls', '--no-cli',
      '--allow-loopback-peers', '--fingerprint', '--simple-log', '--log-file=stdout',
      `--pidfile=${path.join(dir, 'turn.pid')}`, `--db=${path.join(dir, 'turndb')}`,
    ];
    const coturn = new Coturn('coturn', turnserverBin, args, process.env, () => tcpOpen(port), dir);
    coturn.port = port;
    return coturn;
  }

  port = 0;
}

/** The built server on a free port, with a SQLite file that outlives its restarts. */
export class Server extends Restartable {
  static async create(env: Record<string, string>): Promise<Server> {
    if (!serverBin) throw new Error('SERVER_BIN is not set (scripts/test sets it)');
    const port = await freePort();
    const dir = tempDir('callhub-server-');
    const url = `http://127.0.0.1:${port}`;
    const server = new Server(
      'server',
      serverBin,
      [],
      {
        ...process.env,
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: 'target/site',
        LEPTOS_OUTPUT_NAME: 'callhub',
        DATA_DIR: dir,
        DATABASE_URL: `sqlite://${dir}/e2e.db?mode=rwc`,
        STUN_URLS: '',
        SIGNUPS_PER_IP_PER_HOUR: '100000',
        ...env,
      },
      async () => {
        try {
          return (await fetch(`${url}/api/health/`)).ok;
        } catch {
          return false;
        }
      },
      dir,
    );
    server.url = url;
    return server;
  }

  url = '';
}
