// Child processes of the benchmark: started (optionally pinned with taskset), awaited, measured
// through /proc, and stopped by their PID — each one, and only the ones we started.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { clearTimeout } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { benchRoot } from './paths.mjs';

const CHILD_GUARD = pathToFileURL(join(benchRoot, 'src', 'child-guard.mjs')).href;
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
// Whatever happens to the benchmark, its children go with it (by PID, one by one).
process.on('exit', () => {
  for (const child of running) if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
});

/**
 * CPU placement: with taskset and 2+ cores, the router under test gets core 0 to itself and
 * everything else (stand-ins, subgraphs, load generator) the other cores.
 * @param {boolean} wanted
 */
export function cpuPlan(wanted) {
  const cores = availableParallelism();
  let taskset = false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    taskset = true;
  } catch {
    // no util-linux taskset: run unpinned
  }
  if (!wanted || !taskset || cores < 2) return { pinned: false, cores, router: undefined, rest: undefined };
  return { pinned: true, cores, router: '0', rest: cores === 2 ? '1' : `1-${cores - 1}` };
}

/** Pins this process and all its threads (autocannon runs here). @param {string | undefined} cpus */
export function pinSelf(cpus) {
  if (cpus) execFileSync('taskset', ['-a', '-cp', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {{
 *   name: string,
 *   child: import('node:child_process').ChildProcess,
 *   pid: number,
 *   log: string,
 *   messages: (type: string, timeoutMs?: number) => Promise<Record<string, unknown>>,
 *   request: (type: string, timeoutMs?: number) => Promise<Record<string, unknown>>,
 * }} Child
 */

/**
 * Starts `node [nodeArgs] script` with an IPC channel and the child guard preloaded, its output
 * to `<logDir>/<name>.log`.
 * @param {{ name: string, script: string, nodeArgs?: string[], env: Record<string, string | undefined>, cpus?: string, logDir: string, cwd?: string }} options
 * @returns {Child}
 */
export function startNode(options) {
  const node = [process.execPath, '--import', CHILD_GUARD, ...(options.nodeArgs ?? []), options.script];
  const [command, ...args] = options.cpus ? ['taskset', '-c', options.cpus, ...node] : node;
  const log = join(options.logDir, `${options.name}.log`);
  const out = createWriteStream(log);
  const child = spawn(/** @type {string} */ (command), args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  running.add(child);
  child.on('exit', () => running.delete(child));
  if (!child.pid) throw new Error(`Could not start ${options.name}`);

  /** @type {Record<string, unknown>[]} */
  const inbox = [];
  /** @type {Set<() => void>} */
  const waiters = new Set();
  child.on('message', (message) => {
    inbox.push(/** @type {Record<string, unknown>} */ (message));
    for (const wake of waiters) wake();
  });
  child.on('exit', () => {
    for (const wake of waiters) wake();
  });

  /** @param {string} type @param {number} timeoutMs @returns {Promise<Record<string, unknown>>} */
  const messages = (type, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const index = inbox.findIndex((m) => m.type === type);
        if (index >= 0) {
          done();
          resolve(/** @type {Record<string, unknown>} */ (inbox.splice(index, 1)[0]));
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}); see ${log}${tail(log)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${options.name}: no "${type}" within ${timeoutMs / 1000}s; see ${log}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    name: options.name,
    child,
    pid: child.pid,
    log,
    messages,
    request: (type, timeoutMs = 10_000) => {
      child.send({ type });
      return messages(type, timeoutMs);
    },
  };
}

/** The end of a child's log, to quote when it failed. @param {string} log */
function tail(log) {
  try {
    const text = readFileSync(log, 'utf8').trim();
    return text ? `\n  … ${text.slice(-800).replace(/\n/g, '\n  ')}` : '';
  } catch {
    return '';
  }
}

/** Waits until `url` answers 200 (e.g. /ready), or the child dies. @param {Child} child @param {string} url */
export async function waitHttpReady(child, url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null || child.child.signalCode !== null) {
      throw new Error(`${child.name} exited (${child.child.exitCode ?? child.child.signalCode}); see ${child.log}${tail(child.log)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs / 1000}s; see ${child.log}`);
}

/** SIGTERM by PID, then SIGKILL after the grace period. @param {Child} child */
export async function stop(child, graceMs = 15_000) {
  const { child: proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used so far. @param {number} pid */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size now and at its peak, in MB. @param {number} pid */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  /** @param {string} key */
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * Resets a process's peak RSS (VmHWM) so the next peak is this run's own; false where the kernel
 * or our rights do not allow it (the peak then covers the process's life so far).
 * @param {number} pid
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds the whole machine has been busy (every core, all processes). */
export function machineBusySeconds() {
  const [, ...fields] = /** @type {string} */ (readFileSync('/proc/stat', 'utf8').split('\n')[0]).trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (/** @type {number} */ (user) + /** @type {number} */ (nice) + /** @type {number} */ (system) + /** @type {number} */ (irq) + /** @type {number} */ (softirq) + /** @type {number} */ (steal)) / TICKS_PER_SECOND;
}

/** CPU seconds used so far by this process and every child it started that still runs. */
export function benchCpuSeconds() {
  let sum = cpuSeconds(process.pid);
  for (const child of running) {
    try {
      if (child.pid) sum += cpuSeconds(child.pid);
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

/**
 * Starts a meter of the CPU that processes other than the benchmark's took during a window: on a
 * shared machine it says how far the figures can be trusted.
 */
export function othersCpuMeter() {
  const machine = machineBusySeconds();
  const ours = benchCpuSeconds();
  const started = process.hrtime.bigint();
  return () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const others = machineBusySeconds() - machine - (benchCpuSeconds() - ours);
    return Math.max(0, (100 * others) / seconds);
  };
}

/**
 * Waits until `read` gives the same answer for `quietMs` (e.g. request counters once the load
 * stopped and the router finished what was in flight), at most `maxMs`.
 * @template T @param {() => Promise<T>} read @returns {Promise<T>}
 */
export async function settle(read, quietMs = 500, maxMs = 30_000) {
  const deadline = Date.now() + maxMs;
  let last = JSON.stringify(await read());
  let stableSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const value = await read();
    const text = JSON.stringify(value);
    if (text !== last) {
      last = text;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs || Date.now() > deadline) {
      return value;
    }
  }
}
