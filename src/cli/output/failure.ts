import { describeError, exitCodeFor, isCarpOvhError } from '../../errors.ts';
import { scrubText } from '../../redact.ts';
import type { Output } from '../wiring/context.ts';

/** How every command ends on an error: one line on stderr, the error's exit code; the stack only when asked for. */
export function reportFailure(error: unknown, stderr: Output, env: NodeJS.ProcessEnv): number {
  stderr.write(`carp-ovh: ${scrubText(describeError(error))}\n`);
  if (!isCarpOvhError(error) && env.CARP_OVH_DEBUG === '1' && error instanceof Error) {
    stderr.write(`${scrubText(error.stack ?? '')}\n`);
  }
  return exitCodeFor(error);
}

/** Before any command runs: carp-ovh pins its own trust, but the operator should know the host's other node programs do not. */
export function warnIfTlsUnchecked(env: NodeJS.ProcessEnv, stderr: Output): void {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    stderr.write(
      'carp-ovh: warning: NODE_TLS_REJECT_UNAUTHORIZED=0 is set; carp-ovh verifies OVH and Vault certificates anyway, but other node programs here do not: unset it\n',
    );
  }
}
