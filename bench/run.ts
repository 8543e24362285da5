/**
 * `npm run bench`: every section measured in one run, printed as a table and
 * written to docs/benchmarks.md with the commit it measured. `--quick` skips
 * the runs that take minutes. A section (bench/section.ts) measures, then words
 * its rows, its method and its decisions from the figures it just took; to add
 * one, write a module exporting a BenchSection and list it in SECTIONS.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { formatDuration } from '../src/duration.ts';
import { checkSection } from './check.ts';
import { convergenceSection } from './convergence.ts';
import { healthLoopSection } from './health-loop.ts';
import { ipMoveSection } from './ip-move.ts';
import { keepalivedSection } from './keepalived.ts';
import type { BenchRow, BenchSection, SectionReport } from './section.ts';
import { startupSection } from './startup.ts';

const SECTIONS: BenchSection[] = [startupSection, convergenceSection, ipMoveSection, checkSection, healthLoopSection, keepalivedSection];

const quick = process.argv.includes('--quick');
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

/** The commit measured, read before anything is written: "dirty" when the tree differs from it. */
function measuredCommit(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git('rev-parse', 'HEAD');
    return git('status', '--porcelain') === '' ? head : `${head} (dirty)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const commit = measuredCommit();
// Other work on the machine shifts every figure: say how busy it was.
const loadAtStart = loadavg()[0] ?? 0;
const started = Date.now();
const reports: Array<{ section: BenchSection; report: SectionReport }> = [];
for (const section of SECTIONS) reports.push({ section, report: await section.run({ quick, log }) });

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), ${platform()} ${release()}, load average ${loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end`;
const header: BenchRow = ['measure', 'carp-ovh', 'reference', 'ratio', 'goal'];
const rows: BenchRow[] = [header, ...reports.flatMap(({ report }) => report.rows)];
const widths = header.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
const table = rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ')).join('\n');
const took = formatDuration(Date.now() - started);
process.stdout.write(`${table}\n\nmachine: ${machine}; node ${process.version}; commit ${commit}; ${took} in all${quick ? ' (quick)' : ''}\n`);

const skipped = reports.flatMap(({ section, report }) => (report.skipped === undefined ? [] : [`${section.name}: ${report.skipped}`]));
const markdown = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} at commit ${commit}, every figure in the
same run, side by side with its reference. Machine: ${machine}. Node ${process.version}. ${took} in all.${
  skipped.length > 0 ? ` Quick run, skipped: ${skipped.join('; ')}.` : ''
}

| ${header.join(' | ')} |
|${header.map(() => '---').join('|')}|
${rows
  .slice(1)
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')}

How each figure is taken:

- Every carp-ovh process runs with the bench's environment less NODE_EXTRA_CA_CERTS, which a router's devd, cron or rc.d does not set (\`routerEnv\` in bench/measure.ts).
${reports.flatMap(({ report }) => report.method.map((line) => `- ${line}`)).join('\n')}

What this run's figures say (worded from them by the benchmark, not written by hand):

${reports.flatMap(({ report }) => report.decisions.map((line) => `- ${line}`)).join('\n')}
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), markdown);
log('wrote docs/benchmarks.md');
