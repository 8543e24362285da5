/**
 * `npm run demo`: a seed's failover on your laptop, with simulated routers, the
 * OVH and Vault stand-ins, and each router's hook run as a real subprocess.
 *
 * Stories (--story): `freebsd` (the default: two FreeBSD routers, devd, virtual
 * MACs; demo/freebsd-story.ts) and `openbsd-cloud` (two OpenBSD instances on OVH
 * Public Cloud, ifstated, a failover IP aliased on vio0; demo/openbsd-cloud-story.ts).
 *
 * Flags: --story NAME, --ovh-delay DURATION (how long OVH takes to apply each
 * change; default 1s, the seeds saw ~30s), --quiet (summary only).
 * Exits 1 when a step of the story did not happen.
 */
import { parseDuration } from '../src/duration.ts';
import { freeBsdStory } from './freebsd-story.ts';
import { openBsdCloudStory } from './openbsd-cloud-story.ts';
import { Timeline } from './timeline.ts';

const STORIES = {
  freebsd: freeBsdStory,
  'openbsd-cloud': openBsdCloudStory,
} as const;
type StoryName = keyof typeof STORIES;

const USAGE = `usage: npm run demo -- [--story ${Object.keys(STORIES).join('|')}] [--ovh-delay 30s] [--quiet]`;

function usage(message: string): never {
  process.stderr.write(`demo: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseFlags(argv: string[]): { story: StoryName; delayMs: number; quiet: boolean } {
  let delayMs = 1000;
  let quiet = false;
  let story: StoryName = 'freebsd';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string | undefined => (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]);
    if (arg === '--quiet') quiet = true;
    else if (arg === '--ovh-delay' || arg.startsWith('--ovh-delay=')) {
      const text = value();
      const parsed = parseDuration(text);
      if (parsed === null) usage(`--ovh-delay takes a duration such as 1s or 30s, got ${JSON.stringify(text ?? '')}`);
      delayMs = parsed ?? 1000;
    } else if (arg === '--story' || arg.startsWith('--story=')) {
      const text = value() ?? '';
      if (!Object.hasOwn(STORIES, text)) usage(`--story takes ${Object.keys(STORIES).join(' or ')}, got ${JSON.stringify(text)}`);
      story = text as StoryName;
    } else usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { story, delayMs, quiet };
}

const { story, delayMs, quiet } = parseFlags(process.argv.slice(2));
const timeline = new Timeline({ quiet });
try {
  await STORIES[story](timeline, delayMs);
} catch (error) {
  timeline.broke(error);
}
timeline.printSummary();
process.exitCode = timeline.failed ? 1 : 0;
