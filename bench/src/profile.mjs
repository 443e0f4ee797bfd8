// Where a process's time goes: self time of a V8 CPU profile (node --cpu-prof), by package and
// by function.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package a script belongs to: `@apollo/gateway`, `graphql`, `node:internal`, `router`… @param {string} url */
function packageOf(url) {
  if (!url) return '(native / GC / idle)';
  if (url.startsWith('node:')) {
    // Node's own JavaScript, split where it says something: fetch is undici, bundled in core.
    if (url.includes('deps/undici')) return 'node core: fetch (undici)';
    if (/node:_http|node:http|internal\/http/.test(url)) return 'node core: http';
    if (/streams|webstreams/.test(url)) return 'node core: streams';
    if (/modules\/|vm/.test(url)) return 'node core: module loading';
    return 'node core: other';
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const match = /\/(router|packages\/kit|bench)\//.exec(url);
  return match ? (match[1] === 'packages/kit' ? '@storefront/kit' : match[1] ?? url) : url;
}

/**
 * @param {string} dir the --cpu-prof-dir
 * @param {number} top how many rows per list
 */
export function summarizeProfiles(dir, top = 15) {
  if (!existsSync(dir)) return `No profile in ${dir} (the router writes it when it exits).`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return `No .cpuprofile in ${dir}.`;
  /** @type {Map<string, number>} */
  const byPackage = new Map();
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[], samples: number[], timeDeltas: number[] }} */
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const frame = nodes.get(id)?.callFrame;
      if (!frame) return;
      if (frame.functionName === '(idle)') {
        idle += us;
        return;
      }
      total += us;
      const pkg = frame.functionName === '(garbage collector)' ? 'garbage collector' : packageOf(frame.url);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
      const fn = `${frame.functionName || '(anonymous)'}  ${frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(router|packages)\//, '$1/')}:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    });
  }
  /** @param {Map<string, number>} map */
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`)
      .join('\n');
  return [
    `CPU profile (${files.length} file(s) in ${dir}): ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`,
    'Self time by package:',
    rows(byPackage),
    'Self time by function:',
    rows(byFunction),
  ].join('\n');
}
