/**
 * Projects and their keys. Creating a project needs the admin token; a project token sees,
 * edits and rotates only its own project.
 *   GET    /api/projects                      the projects this credential opens
 *   POST   /api/projects                      create (admin) → includes the token, shown once
 *   PATCH  /api/projects/:id                  name, allowed_origins
 *   POST   /api/projects/:id/rotate-ingest-key
 *   POST   /api/projects/:id/rotate-token     → the new token, shown once
 *   GET    /api/projects/:id/install          copy-ready install snippets with this project's DSN
 */
import type { FastifyInstance } from 'fastify';
import { type Authenticate, requireAdmin, requireProject } from '../auth/bearer.js';
import type { AgentScript } from '../agent-script/agent-script-routes.js';
import { projectDsn } from '../projects/dsn.js';
import { installSnippets } from '../projects/install-snippets.js';
import type { Project, ProjectRegistry } from '../projects/registry.js';

export interface ProjectsRoutesOptions {
  projects: ProjectRegistry;
  authenticate: Authenticate;
  agentScripts: AgentScript[];
  publicUrl: () => string;
  ingestPrefix: string;
}

const originsSchema = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 300 } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export async function projectsRoutes(app: FastifyInstance, options: ProjectsRoutesOptions): Promise<void> {
  const { projects, authenticate } = options;
  const publicView = (project: Project) => ({
    id: project.id,
    name: project.name,
    ingest_key: project.ingestKey,
    dsn: projectDsn(project, options.publicUrl(), options.ingestPrefix),
    allowed_origins: project.allowedOrigins,
    created_at: project.createdAt,
  });
  const ownProject = async (request: import('fastify').FastifyRequest) => requireProject(authenticate(request), Number((request.params as { id: string }).id));

  app.get('/api/projects', async (request) => {
    const access = authenticate(request);
    const visible = access.admin ? projects.list() : projects.list().filter((project) => project.id === access.projectId);
    return { admin: access.admin, projects: visible.map(publicView) };
  });

  app.post<{ Body: { name: string; allowed_origins?: string[] } }>('/api/projects', {
    schema: {
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, allowed_origins: originsSchema } },
    },
    onRequest: async (request) => requireAdmin(authenticate(request)),
  }, async (request, reply) => {
    const { project, token } = await projects.create({ name: request.body.name, allowedOrigins: request.body.allowed_origins });
    // The project token is shown once, like a password; only its hash is stored.
    return reply.code(201).send({ ...publicView(project), token });
  });

  app.patch<{ Params: { id: number }; Body: { name?: string; allowed_origins?: string[] } }>('/api/projects/:id', {
    schema: {
      params: idParams,
      body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, allowed_origins: originsSchema } },
    },
    onRequest: ownProject,
  }, async (request) => publicView(await projects.update(request.params.id, { name: request.body.name, allowedOrigins: request.body.allowed_origins })));

  app.post<{ Params: { id: number } }>('/api/projects/:id/rotate-ingest-key', { schema: { params: idParams }, onRequest: ownProject }, async (request) =>
    publicView(await projects.rotateIngestKey(request.params.id)));

  app.post<{ Params: { id: number } }>('/api/projects/:id/rotate-token', { schema: { params: idParams }, onRequest: ownProject }, async (request) => {
    const { project, token } = await projects.rotateToken(request.params.id);
    return { ...publicView(project), token };
  });

  app.get<{ Params: { id: number } }>('/api/projects/:id/install', { schema: { params: idParams }, onRequest: ownProject }, async (request, reply) => {
    const project = projects.byId(request.params.id);
    if (!project) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `project ${request.params.id} does not exist` });
    const dsn = projectDsn(project, options.publicUrl(), options.ingestPrefix);
    return { project_id: project.id, dsn, snippets: installSnippets({ dsn, publicUrl: options.publicUrl(), scripts: options.agentScripts }) };
  });
}
