// The Fastify ceiling for the bench: Fastify 5 with no logger, no hooks, no plugins, one route
// answering what the backend's health check answers. `PORT=N node bench/reference/bare-fastify.mjs`.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/api/health-check', async () => ({ success: true }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close());
