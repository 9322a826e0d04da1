/**
 * Projects, their ingest keys and token hashes live in ClickHouse so that several collectors
 * share them; each collector keeps an in-memory copy for the ingest hot path.
 */
import type { Store } from '../store/types.js';
import { hashToken, newIngestKey, newProjectToken, sameHash } from './tokens.js';

export interface Project {
  id: number;
  name: string;
  ingestKey: string;
  tokenHash: string;
  allowedOrigins: string[];
  createdAt: string;
}

export interface ProjectRegistry {
  byId(id: number): Project | undefined;
  /** Looks an id up, reloading from the store (at most once a second) when it is unknown. */
  find(id: number): Promise<Project | undefined>;
  list(): Project[];
  create(input: { name: string; allowedOrigins?: string[] }): Promise<{ project: Project; token: string }>;
  /** Changes the name or the allowed origins. */
  update(id: number, patch: { name?: string; allowedOrigins?: string[] }): Promise<Project>;
  /** A new public ingest key: pages with the old one are refused from now on. */
  rotateIngestKey(id: number): Promise<Project>;
  /** A new secret project token (shown once); the old one and its dashboard sessions stop working. */
  rotateToken(id: number): Promise<{ project: Project; token: string }>;
  /** The project a secret project token belongs to. */
  byToken(token: string): Project | undefined;
  reload(): Promise<void>;
  close(): void;
}

interface ProjectRow {
  id: number;
  name: string;
  ingest_key: string;
  token_hash: string;
  allowed_origins: string[];
  created_at: string;
}

const SELECT_PROJECTS = `
  SELECT id, name, ingest_key, token_hash, allowed_origins, created_at
  FROM projects FINAL WHERE deleted = 0 ORDER BY id`;

export async function openProjectRegistry(store: Store, options: { refreshMs?: number } = {}): Promise<ProjectRegistry> {
  let projects = new Map<number, Project>();
  let lastReload = 0;

  const reload = async () => {
    const rows = await store.query<ProjectRow>(SELECT_PROJECTS);
    projects = new Map(rows.map((row) => [Number(row.id), fromRow(row)]));
    lastReload = Date.now();
  };
  await reload();
  // Other collectors may create projects; pick them up without a restart.
  const timer = setInterval(() => reload().catch(() => {}), options.refreshMs ?? 10_000);
  timer.unref();

  /** A new version of the project's row (ReplacingMergeTree keeps the latest updated_at). */
  const write = async (id: number, change: (project: Project) => Partial<ProjectRow>): Promise<Project> => {
    await reload();
    const project = projects.get(id);
    if (!project) throw Object.assign(new Error(`project ${id} does not exist`), { statusCode: 404 });
    const row = {
      id,
      name: project.name,
      ingest_key: project.ingestKey,
      token_hash: project.tokenHash,
      allowed_origins: project.allowedOrigins,
      created_at: Date.parse(project.createdAt.endsWith('Z') ? project.createdAt : `${project.createdAt.replace(' ', 'T')}Z`),
      ...change(project),
      updated_at: Date.now(),
      deleted: 0,
    };
    await store.insert('projects', [row]);
    await reload();
    return projects.get(id)!;
  };

  return {
    byId: (id) => projects.get(id),
    async find(id) {
      const known = projects.get(id);
      if (known || Date.now() - lastReload < 1000) return known;
      await reload().catch(() => {});
      return projects.get(id);
    },
    list: () => [...projects.values()],
    byToken(token) {
      const hash = hashToken(token);
      for (const project of projects.values()) if (sameHash(project.tokenHash, hash)) return project;
      return undefined;
    },
    async create({ name, allowedOrigins = ['*'] }) {
      const ids = await store.query<{ next: number }>('SELECT toUInt32(max(id) + 1) AS next FROM projects');
      const id = Math.max(1, Number(ids[0]?.next ?? 1));
      const token = newProjectToken();
      const now = Date.now();
      const row = {
        id,
        name,
        ingest_key: newIngestKey(),
        token_hash: hashToken(token),
        allowed_origins: allowedOrigins,
        created_at: now,
        updated_at: now,
        deleted: 0,
      };
      await store.insert('projects', [row]);
      await reload();
      return { project: projects.get(id) ?? fromRow({ ...row, created_at: new Date(now).toISOString() }), token };
    },
    update: (id, patch) =>
      write(id, (project) => ({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.allowedOrigins !== undefined ? { allowed_origins: patch.allowedOrigins } : {}),
      })),
    rotateIngestKey: (id) => write(id, () => ({ ingest_key: newIngestKey() })),
    async rotateToken(id) {
      const token = newProjectToken();
      const project = await write(id, () => ({ token_hash: hashToken(token) }));
      return { project, token };
    },
    reload,
    close: () => clearInterval(timer),
  };
}

function fromRow(row: ProjectRow): Project {
  return {
    id: Number(row.id),
    name: row.name,
    ingestKey: row.ingest_key,
    tokenHash: row.token_hash,
    allowedOrigins: row.allowed_origins,
    createdAt: row.created_at,
  };
}
