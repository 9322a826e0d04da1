import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, setCsrfToken } from './api.js';

export interface Session {
  admin: boolean;
  /** The project a project-token session is limited to. */
  projectId: number | null;
}

export interface ProjectSummary {
  id: number;
  name: string;
  ingest_key: string;
  dsn: string;
  allowed_origins: string[];
  created_at: string;
}

/** What every view may read: who is signed in, the projects they see, the one being looked at. */
export interface AppState {
  session: Session;
  projects: ProjectSummary[];
  projectId: number;
  setProjectId: (id: number) => void;
  reloadProjects: () => Promise<void>;
  signOut: () => Promise<void>;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside <AppContext.Provider>');
  return state;
}

/** The current session, or null when not signed in. */
export async function loadSession(): Promise<Session | null> {
  try {
    const answer = await api<{ admin: boolean; project_id: number | null; csrf_token: string | null }>('/api/session');
    setCsrfToken(answer.csrf_token);
    return { admin: answer.admin, projectId: answer.project_id };
  } catch {
    setCsrfToken(null);
    return null;
  }
}

const PROJECT_KEY = 'lookout.project';
export const rememberedProject = () => Number(localStorage.getItem(PROJECT_KEY)) || null;
export const rememberProject = (id: number) => localStorage.setItem(PROJECT_KEY, String(id));
