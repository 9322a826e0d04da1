/**
 * Projects and keys: install snippets first (where empty states send newcomers), then the
 * projects (`/projects`), or one project's settings and keys (`/projects/:id`).
 */
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ProjectCreate } from '../components/project-create.js';
import { ProjectInstall } from '../components/project-install.js';
import { ProjectKeys } from '../components/project-keys.js';
import { ProjectSettings } from '../components/project-settings.js';
import { Empty, Failure, View } from '../components/view.js';
import { dateTime } from '../format.js';
import { type ProjectSummary, useApp } from '../session.js';
import { useApi } from '../use-api.js';

export function Projects() {
  const app = useApp();
  const { params } = useRoute();
  const list = useApi<{ admin: boolean; projects: ProjectSummary[] }>('/api/projects');
  const [installReady, setInstallReady] = useState(false);
  const refresh = async () => {
    list.reload();
    await app.reloadProjects();
  };
  const projects = list.data?.projects ?? [];
  const ready = (!!list.data && installReady) || !!list.error;

  if (params.id) {
    const project = projects.find((candidate) => String(candidate.id) === params.id);
    return (
      <View title={project ? `Project: ${project.name}` : 'Project'} ready={ready || (!!list.data && !project)} actions={<a href="/projects">All projects</a>}>
        <Failure error={list.error} retry={list.reload} />
        {list.data && !project && (
          <Empty title="No such project">
            <p>
              There is no project #{params.id} you can open. <a href="/projects">See your projects</a>.
            </p>
          </Empty>
        )}
        {project && (
          <>
            <ProjectInstall key={project.ingest_key} projectId={project.id} projectName={project.name} onLoaded={() => setInstallReady(true)} />
            <div class="grid-2">
              <ProjectSettings key={project.id} project={project} onSaved={refresh} />
              <ProjectKeys key={project.id} project={project} onIngestKeyRotated={refresh} />
            </div>
          </>
        )}
      </View>
    );
  }

  const current = projects.find((project) => project.id === app.projectId) ?? projects[0];
  return (
    <View title="Projects" ready={ready || (!!list.data && !current)}>
      <Failure error={list.error} retry={list.reload} />
      {current && <ProjectInstall key={`${current.id}:${current.ingest_key}`} projectId={current.id} projectName={current.name} onLoaded={() => setInstallReady(true)} />}
      {list.data && (
        <section class="panel" aria-labelledby="projects-heading">
          <h2 id="projects-heading">{list.data.admin ? 'All projects' : 'Your project'}</h2>
          <ProjectTable projects={projects} />
        </section>
      )}
      {list.data?.admin ? (
        <ProjectCreate onCreated={refresh} />
      ) : (
        list.data && <p class="hint">New projects are created with the admin token (printed at the collector's first start).</p>
      )}
    </View>
  );
}

function ProjectTable(props: { projects: ProjectSummary[] }) {
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">DSN</th>
            <th scope="col">Allowed origins</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.projects.map((project) => (
            <tr key={project.id}>
              <td>
                <a href={`/projects/${project.id}`}>
                  {project.name} (#{project.id})
                </a>
              </td>
              <td class="mono">{project.dsn}</td>
              <td class="mono">{project.allowed_origins.join(', ') || 'none'}</td>
              <td class="nowrap">{dateTime(project.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
