import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../use-api.js';
import { CodeBlock } from './code-block.js';
import { Failure } from './view.js';

interface InstallSnippet {
  id: string;
  title: string;
  parts: { language: 'html' | 'sh' | 'ts'; code: string }[];
}

const SHORT_TITLES: Record<string, string> = { 'script-tag': 'Script tag', 'async-loader': 'Async loader', npm: 'npm', angular: 'Angular', angularjs: 'AngularJS' };
const LANGUAGE_LABELS: Record<string, string> = { html: 'HTML', sh: 'shell command', ts: 'TypeScript' };

/**
 * Copy-ready install snippets for a project (GET /api/projects/:id/install), one tab each: what
 * a newcomer needs first, so it comes first on the page.
 */
export function ProjectInstall(props: { projectId: number; projectName: string; onLoaded?: () => void }) {
  const install = useApi<{ dsn: string; snippets: InstallSnippet[] }>(`/api/projects/${props.projectId}/install`);
  const [selected, setSelected] = useState('script-tag');
  useEffect(() => {
    if (install.data || install.error) props.onLoaded?.();
  }, [install.data, install.error]);
  const snippets = install.data?.snippets ?? [];
  const current = snippets.find((snippet) => snippet.id === selected) ?? snippets[0];

  const moveWithArrows = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = snippets[(index + step + snippets.length) % snippets.length];
    setSelected(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <section class="panel install" aria-labelledby="install-heading">
      <h2 id="install-heading">
        Install the agent in {props.projectName} (#{props.projectId})
      </h2>
      <p>
        Paste one of these into your app (they carry this project's DSN), reload a page, then open <a href="/demo/">/demo/</a> to see data arrive (its two demo
        apps report real errors to project #1).
      </p>
      <Failure error={install.error} retry={install.reload} />
      {current && (
        <>
          <div role="tablist" aria-label="Ways to install" class="tabs">
            {snippets.map((snippet, index) => (
              <button
                type="button"
                role="tab"
                id={`tab-${snippet.id}`}
                aria-selected={snippet.id === current.id}
                aria-controls={`panel-${snippet.id}`}
                tabIndex={snippet.id === current.id ? 0 : -1}
                onClick={() => setSelected(snippet.id)}
                onKeyDown={(event) => moveWithArrows(event, index)}
              >
                {SHORT_TITLES[snippet.id] ?? snippet.title}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} class="tab-panel">
            <h3>{current.title}</h3>
            {current.parts.map((part) => (
              <CodeBlock code={part.code} label={LANGUAGE_LABELS[part.language] ?? part.language} />
            ))}
          </div>
          <p class="hint">
            DSN: <span class="mono">{install.data!.dsn}</span> — the ingest key in it is public by design (pages send it); allowed origins decide which sites may use it.
          </p>
        </>
      )}
    </section>
  );
}
