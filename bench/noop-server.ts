/**
 * The baseline for bench:ingest: a fastify route that only parses the same payloads
 * (JSON, same body limit) and answers 202 — no validation, spool, or store.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
app.post('/api/:projectId/ingest', async (request, reply) => {
  const { events } = request.body as { events: unknown[] };
  return reply.code(202).send({ accepted: events.length, rejected: [] });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: address })}\n`);
