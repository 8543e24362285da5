// Plain JavaScript, not TypeScript: a .ts preload would make node load its type
// stripper into every measured process, adding ~70 ms of CPU and its memory to the figures.
// Preloaded by bench/measure.ts: reports this process's CPU time and peak RSS at exit,
// on fd 3 (the measured child), or, when CARP_OVH_BENCH_RSS_DIR is set, as <pid>.json in
// that dir: NODE_OPTIONS carries the preload into processes the child starts (the hook's
// detached worker), which have no fd 3 of ours.
import { writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.CARP_OVH_BENCH_RSS_DIR;

process.on('exit', () => {
  const usage = process.resourceUsage();
  const report = JSON.stringify({
    pid: process.pid,
    argv: process.argv.slice(2),
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS,
  });
  try {
    if (dir !== undefined && dir !== '') writeFileSync(join(dir, `${process.pid}.json`), report);
    else writeSync(3, report);
  } catch {
    // Not run by the benchmark: nothing to report to.
  }
});
