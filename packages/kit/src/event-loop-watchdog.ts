import { Worker } from 'node:worker_threads';

/**
 * The second line of defence against a request that blocks the event loop (the first is that no
 * walk over a request is worse than linear). A blocked loop answers nothing, not even SIGTERM, so:
 *
 * - after a stall longer than `stallMs`, `/health` answers 503 for `unhealthyForMs`, so an
 *   orchestrator's liveness probe replaces a process that keeps stalling;
 * - a watcher on its own thread, which a blocked loop cannot stop, kills the process once the loop
 *   has been blocked for `killAfterMs`, so its supervisor restarts it (`npm start`, Kubernetes).
 */
export interface WatchdogOptions {
  /** A loop blocked longer than this is a stall. @default 1000 */
  stallMs: number;
  /** How long `/health` stays 503 after a stall. @default 30000 */
  unhealthyForMs?: number;
  /** Kill the process when the loop has been blocked this long; 0: never. @default 30000 */
  killAfterMs: number;
  /** Called on the loop once it runs again after a stall (e.g. to log it). */
  onStall?: (blockedMs: number) => void;
}

export interface LivenessReport {
  live: boolean;
  /** The longest stall seen within `unhealthyForMs`, if any. */
  stalledMs?: number;
}

const TICK_MS = 100;

/** Runs in the watcher thread: reads the loop's last heartbeat and kills the process if it is too old. */
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Float64Array(workerData.heartbeat);
const check = Math.max(50, Math.min(1000, Math.floor(workerData.killAfterMs / 4)));
setInterval(() => {
  const blocked = Date.now() - beat[0];
  if (beat[0] > 0 && blocked > workerData.killAfterMs) {
    writeSync(2, JSON.stringify({ level: 60, time: Date.now(), service: workerData.service, blockedMs: blocked,
      msg: 'event loop blocked for ' + blocked + ' ms: killing the process so its supervisor restarts it' }) + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, check);
`;

export class EventLoopWatchdog {
  private readonly heartbeat = new Float64Array(new SharedArrayBuffer(8));
  private readonly timer: NodeJS.Timeout;
  private readonly watcher: Worker | undefined;
  private lastTick = Date.now();
  private lastStall: { at: number; ms: number } | undefined;
  private readonly unhealthyForMs: number;

  constructor(
    service: string,
    private readonly options: WatchdogOptions,
  ) {
    this.unhealthyForMs = options.unhealthyForMs ?? 30_000;
    this.heartbeat[0] = this.lastTick;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    if (options.killAfterMs > 0) {
      this.watcher = new Worker(WATCHER, { eval: true, workerData: { heartbeat: this.heartbeat.buffer, killAfterMs: options.killAfterMs, service } });
      this.watcher.unref();
    }
  }

  /** Whether the process should be considered live: no stall within the last `unhealthyForMs`. */
  liveness(now = Date.now()): LivenessReport {
    // A request answered right after a block may run before the tick that would notice it.
    const current = Date.now();
    this.noteStall(current - this.lastTick - TICK_MS, current);
    if (this.lastStall && now - this.lastStall.at <= this.unhealthyForMs) return { live: false, stalledMs: this.lastStall.ms };
    return { live: true };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.watcher?.terminate();
  }

  private tick(): void {
    const now = Date.now();
    this.noteStall(now - this.lastTick - TICK_MS, now);
    this.lastTick = now;
    this.heartbeat[0] = now;
  }

  private noteStall(blockedMs: number, now: number): void {
    if (blockedMs <= this.options.stallMs) return;
    if (this.lastStall && this.lastStall.at >= now - blockedMs) return;
    this.lastStall = { at: now, ms: blockedMs };
    this.options.onStall?.(blockedMs);
  }
}

let installed: EventLoopWatchdog | undefined;

/**
 * Makes `watchdog` the process's own: every HTTP front started after this reports its liveness on
 * `/health`. One per process, since a process has one event loop; `runService` installs it, tests
 * that start servers in-process do not.
 */
export function installWatchdog(watchdog: EventLoopWatchdog | undefined): void {
  installed = watchdog;
}

/** The liveness of the installed watchdog; live when none is installed. */
export const processLiveness = (): LivenessReport => installed?.liveness() ?? { live: true };
