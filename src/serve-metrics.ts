import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CarpOvhError } from './errors.ts';

/**
 * The `/metrics` endpoint of `check --every` (metrics.listen). Each scrape
 * renders what the state dir holds at that moment, so claims run by detached
 * workers show up without waiting for the next check. GET and HEAD only; no
 * other path; nothing but the rendered text leaves the process.
 */

export interface MetricsServer {
  /** The bound port (the configured one, or the one picked for port 0). */
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  contentType: string;
  render: () => Promise<string>;
  onError: (error: unknown) => void;
}

export async function serveMetrics(options: ServeOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    void answer(request, response, options);
  });
  // A scraper that keeps a connection open must not keep the loop from ending.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new CarpOvhError(`metrics.listen: cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, {
          source: 'config',
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, options: ServeOptions): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics') {
    send(response, 404, 'text/plain; charset=utf-8', 'carp-ovh serves /metrics only\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'GET or HEAD\n');
    return;
  }
  try {
    const text = await options.render();
    send(response, 200, options.contentType, request.method === 'HEAD' ? '' : text, Buffer.byteLength(text));
  } catch (error) {
    options.onError(error);
    send(response, 500, 'text/plain; charset=utf-8', 'cannot render the metrics (see the log)\n');
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string, length = Buffer.byteLength(body)): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': length, 'Cache-Control': 'no-store' });
  response.end(body);
}
