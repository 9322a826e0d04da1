/** GET/POST /api/projects — admin only. */
import type { FastifyInstance } from 'fastify';
import { type Authenticate, requireAdmin } from '../auth/bearer.js';
import type { Project, ProjectRegistry } from '../projects/registry.js';

export interface ProjectsRoutesOptions {
  projects: ProjectRegistry;
  authenticate: Authenticate;
}

const publicView = (project: Project) => ({
  id: project.id,
  name: project.name,
  ingest_key: project.ingestKey,
  allowed_origins: project.allowedOrigins,
  created_at: project.createdAt,
});

export async function projectsRoutes(app: FastifyInstance, { projects, authenticate }: ProjectsRoutesOptions): Promise<void> {
  app.get('/api/projects', async (request) => {
    requireAdmin(authenticate(request));
    return { projects: projects.list().map(publicView) };
  });

  app.post<{ Body: { name: string; allowed_origins?: string[] } }>('/api/projects', {
    schema: {
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          allowed_origins: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 300 } },
        },
      },
    },
    onRequest: async (request) => requireAdmin(authenticate(request)),
  }, async (request, reply) => {
    const { project, token } = await projects.create({ name: request.body.name, allowedOrigins: request.body.allowed_origins });
    // The project token is shown once, like a password; only its hash is stored.
    return reply.code(201).send({ ...publicView(project), token });
  });
}
