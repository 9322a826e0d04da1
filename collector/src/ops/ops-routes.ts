/** /healthz (the process answers), /readyz (store reachable, spool under quota), /metrics. */
import type { FastifyInstance } from 'fastify';
import type { Spool } from '../spool/types.js';
import type { Store } from '../store/types.js';
import type { CollectorMetrics } from './metrics.js';

export interface OpsRoutesOptions {
  store: Store;
  spool: Spool;
  metrics: CollectorMetrics;
}

export async function opsRoutes(app: FastifyInstance, { store, spool, metrics }: OpsRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const problems: string[] = [];
    await store.ping().catch((error: Error) => problems.push(`store unreachable: ${error.message}`));
    if (spool.isFull()) problems.push('spool over quota: storage is not keeping up');
    const stats = spool.stats();
    return reply.code(problems.length ? 503 : 200).send({
      status: problems.length ? 'not ready' : 'ready',
      problems,
      spool: { pending_records: stats.pendingRecords, pending_bytes: stats.pendingBytes },
    });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
