import { isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';

/** The part of the OVH client the providers use (src/providers/ovh/client.ts implements it). */
export interface OvhRequester {
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<T>;
}

export interface OvhApiOptions {
  /** How many times a read is tried again after a transient failure. */
  retries: number;
  retryDelayMs: number;
}

/**
 * Retries around the client (its rate limit is in the client itself). Reads are retried on transient
 * failures; mutations never are here, because a dropped DELETE or POST may have
 * been accepted: the provider re-locates instead of sending it twice.
 */
export class OvhApi {
  private readonly client: OvhRequester;
  private readonly options: OvhApiOptions;

  constructor(client: OvhRequester, options: OvhApiOptions) {
    this.client = client;
    this.options = options;
  }

  async get(path: string, signal: AbortSignal, extraRetryable?: (status: number) => boolean): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.request('GET', path, undefined, { signal });
      } catch (error) {
        const transient = isCarpOvhError(error) && (error.retryable || (error.status !== undefined && extraRetryable?.(error.status) === true));
        if (!transient || attempt >= this.options.retries || signal.aborted) throw error;
        await sleep(this.options.retryDelayMs, signal);
      }
    }
  }

  /** One GET, not retried here: for callers that pace their own retries (task reads). */
  async getOnce(path: string, signal: AbortSignal): Promise<unknown> {
    return this.client.request('GET', path, undefined, { signal });
  }

  async mutate(method: 'POST' | 'DELETE', path: string, body: Record<string, unknown> | undefined, signal: AbortSignal): Promise<unknown> {
    return this.client.request(method, path, body, { signal });
  }
}
