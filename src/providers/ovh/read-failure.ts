import { fail } from '../../core/doctor/checklist.ts';
import { authFix } from '../../core/doctor/ovh.ts';
import type { Check } from '../../core/ports/index.ts';
import { describeError, isCarpOvhError } from '../../errors.ts';

/** What a mechanism's doctor says when OVH refuses its reads or does not know what it asked for. */
export interface ReadFailureWords {
  /** The access rule the reads need, such as `GET /ip/*`. */
  rule: string;
  /** The detail for a 404, before the error itself. */
  notFound: string;
  notFoundFix: string;
}

/** The doctor check for a failed OVH read: a missing access rule, an unknown object, or credentials and route. */
export function ovhReadFailure(id: string, title: string, error: unknown, words: ReadFailureWords): Check {
  const errorCode = isCarpOvhError(error) ? error.errorCode : undefined;
  const status = isCarpOvhError(error) ? error.status : undefined;
  if (errorCode === 'NOT_GRANTED_CALL') {
    return fail(
      'ovh',
      id,
      title,
      `OVH refuses the reads the claim needs: ${describeError(error)}`,
      `add the access rule ${words.rule} (a new consumer key: rules cannot be added to an existing one).`,
    );
  }
  if (status === 404) return fail('ovh', id, title, `${words.notFound}: ${describeError(error)}`, words.notFoundFix);
  return fail('ovh', id, title, describeError(error), authFix(error));
}
