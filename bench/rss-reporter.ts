// Preloaded by bench/measure.ts: reports this process's CPU time and peak RSS on fd 3 at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  try {
    writeSync(3, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  } catch {
    // Not run by the benchmark: nothing to report to.
  }
});
