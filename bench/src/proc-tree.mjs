// A process and everything it started (a router with ROUTER_WORKERS > 1 forks workers): found
// through /proc/<pid>/task/<tid>/children, or `pgrep -P` where the kernel lacks that file, and
// measured as one: CPU time summed, RSS and peak RSS summed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds, memory, resetPeakRss } from './proc.mjs';

/** The direct children of a process. @param {number} pid @returns {number[]} */
function childrenOf(pid) {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    /** @type {number[]} */
    const found = [];
    for (const tid of tasks) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) found.push(...text.split(/\s+/).map(Number));
    }
    return found;
  } catch {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return []; // none (pgrep exits 1), or the process is gone
    }
  }
}

/** The process and all its live descendants. @param {number} pid @returns {number[]} */
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(/** @type {number} */ (all[i])));
  return all;
}

/** Runs `read` on each process of the tree, skipping processes that exited meanwhile. @template T @param {number} pid @param {(pid: number) => T} read */
function eachProcess(pid, read) {
  /** @type {T[]} */
  const values = [];
  for (const p of processTree(pid)) {
    try {
      values.push(read(p));
    } catch {
      // exited between listing and reading
    }
  }
  return values;
}

/** CPU seconds used so far by the process and its live descendants. @param {number} pid */
export const treeCpuSeconds = (pid) => eachProcess(pid, cpuSeconds).reduce((a, b) => a + b, 0);

/** RSS and peak RSS (MB) summed over the tree, and how many processes it has. @param {number} pid */
export function treeMemory(pid) {
  const each = eachProcess(pid, memory);
  return {
    processes: each.length,
    rssMb: each.reduce((sum, m) => sum + m.rssMb, 0),
    peakRssMb: each.reduce((sum, m) => sum + m.peakRssMb, 0),
  };
}

/** Resets the peak RSS of every process of the tree. @param {number} pid */
export const resetTreePeakRss = (pid) => eachProcess(pid, resetPeakRss).every(Boolean);
