import type { IncomingMessage } from 'node:http';

import type { FastifyHelmetOptions } from '@fastify/helmet';

import { apiConnectSource } from './content-security-policy.ts';

/**
 * The security headers of every response, as @fastify/helmet options: the one place they are
 * declared. The Fastify server registers them; the nginx image's config is generated from the
 * headers they produce (src/server/nginx/config.ts), so both servers send the same ones.
 */
export function securityHeaderOptions(backendOrigin: string | undefined): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: [
          "'self'",
          (request: IncomingMessage) => apiConnectSource(backendOrigin, request.headers.host),
        ],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // TLS ends at the load balancer, which redirects http to https. Upgrading here would
        // break a deliberately plain-http BACKEND_URL (a local run on loopback).
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  };
}
