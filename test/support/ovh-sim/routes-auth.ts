import type { Route } from './router.ts';

export const authRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/auth/time',
    auth: false,
    // A bare integer, not an object: clients parse it as JSON and subtract their clock.
    handler: ({ core }) => ({ body: core.nowSec() }),
  },
  {
    method: 'GET',
    pattern: '/auth/currentCredential',
    always: true,
    handler: ({ core, caller }) => {
      if (caller === null) throw new Error('authenticated route without caller');
      return {
        body: {
          credentialId: core.credentialId(caller.consumerKey),
          applicationId: core.applicationId(caller.applicationKey),
          status: caller.consumer.status ?? 'validated',
          rules: caller.consumer.rules.map((r) => ({ method: r.method, path: r.path })),
          expiration: caller.consumer.expiration ?? null,
          creation: '2026-03-17T13:39:00+01:00',
          lastUse: new Date(core.now()).toISOString(),
          ovhSupport: false,
          allowedIPs: null,
        },
      };
    },
  },
];
