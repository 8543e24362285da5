import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP link on loopback in front of a server, that can be cut: what "Vault is
 * unreachable from router-002" looks like when the other router still reaches it.
 * Cut means black-holed (connections accepted, nothing forwarded), as a dead
 * route or a firewall drop looks to the client: only its timeout ends the wait.
 */
export interface Link {
  port: number;
  url(scheme: 'https'): string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLink(targetPort: number): Promise<Link> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (cut) return; // black hole: hold the connection, say nothing
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    cut: () => {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
