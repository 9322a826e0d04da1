/**
 * The dashboard shell: session, project picker, navigation, and the client-side routes (deep
 * links such as /issues/:id are served the same page by the collector).
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { api, whenSignedOut } from './api.js';
import { AppContext, type AppState, loadSession, type ProjectSummary, rememberedProject, rememberProject, type Session } from './session.js';
import { Alerts } from './views/alerts.js';
import { Certificates } from './views/certificates.js';
import { IssueDetail } from './views/issue-detail.js';
import { Issues } from './views/issues.js';
import { Live } from './views/live.js';
import { Performance } from './views/performance.js';
import { Projects } from './views/projects.js';
import { Releases } from './views/releases.js';
import { SignIn } from './views/sign-in.js';

const NAV = [
  ['/issues', 'Issues'],
  ['/performance', 'Performance'],
  ['/releases', 'Releases'],
  ['/live', 'Live'],
  ['/alerts', 'Alerts'],
  ['/certificates', 'Certificates'],
  ['/projects', 'Projects'],
] as const;

export function App() {
  // undefined: still asking; null: signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const refresh = useCallback(() => loadSession().then(setSession), []);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    refresh();
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={refresh} />;
  return (
    <LocationProvider>
      <Shell session={session} onSignedOut={() => setSession(null)} />
    </LocationProvider>
  );
}

function Shell(props: { session: Session; onSignedOut: () => void }) {
  const { path, route } = useLocation();
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [projectId, setProjectIdState] = useState<number>(props.session.projectId ?? rememberedProject() ?? 1);
  const reloadProjects = useCallback(async () => {
    const answer = await api<{ projects: ProjectSummary[] }>('/api/projects');
    setProjects(answer.projects);
    if (answer.projects.length > 0 && !answer.projects.some((project) => project.id === projectId)) setProjectIdState(answer.projects[0].id);
  }, [projectId]);
  useEffect(() => {
    reloadProjects().catch(() => {});
  }, []);
  const setProjectId = useCallback((id: number) => {
    rememberProject(id);
    setProjectIdState(id);
  }, []);
  const state = useMemo<AppState>(
    () => ({
      session: props.session,
      projects,
      projectId,
      setProjectId,
      reloadProjects,
      signOut: async () => {
        await api('/api/session', { method: 'DELETE' }).catch(() => {});
        props.onSignedOut();
      },
    }),
    [props.session, projects, projectId, reloadProjects],
  );
  useEffect(() => {
    if (path === '/' || path === '/sign-in') route('/issues', true);
  }, [path]);

  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/issues">
          Lookout
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li>
                <a href={href} aria-current={path === href || path.startsWith(`${href}/`) ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <label class="project-picker">
          Project
          <select value={String(projectId)} onChange={(event) => setProjectId(Number(event.currentTarget.value))} disabled={projects.length < 2}>
            {projects.map((project) => (
              <option value={String(project.id)}>
                {project.name} (#{project.id})
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="sign-out" onClick={state.signOut}>
          Sign out
        </button>
      </header>
      <Router>
        <Route path="/" component={Issues} />
        <Route path="/sign-in" component={Issues} />
        <Route path="/issues" component={Issues} />
        <Route path="/issues/:id" component={IssueDetail} />
        <Route path="/performance" component={Performance} />
        <Route path="/releases" component={Releases} />
        <Route path="/live" component={Live} />
        <Route path="/alerts" component={Alerts} />
        <Route path="/alerts/:id" component={Alerts} />
        <Route path="/certificates" component={Certificates} />
        <Route path="/projects" component={Projects} />
        <Route path="/projects/:id" component={Projects} />
        <Route default component={NotFound} />
      </Router>
    </AppContext.Provider>
  );
}

function NotFound() {
  return (
    <main id="main" data-ready="true">
      <h1>Not found</h1>
      <p>
        There is no page here. Go to <a href="/issues">Issues</a>.
      </p>
    </main>
  );
}
