/**
 * The copy-ready install instructions for a project, filled in with its DSN and this collector's
 * agent script (versioned URL and integrity hash): what the start banner prints, and the other
 * ways in (async loader, npm, Angular, AngularJS), as docs/agent.md describes them.
 */
import { loaderSnippet } from '../../../protocol/loader-snippet.js';
import { type AgentScript, versionedPath } from '../agent-script/agent-script-routes.js';

export interface InstallSnippet {
  id: 'script-tag' | 'async-loader' | 'npm' | 'angular' | 'angularjs';
  title: string;
  /** Languages for the dashboard's labels: html, sh, ts. */
  parts: { language: 'html' | 'sh' | 'ts'; code: string }[];
}

export function installSnippets(input: { dsn: string; publicUrl: string; scripts: AgentScript[] }): InstallSnippet[] {
  const base = input.publicUrl.replace(/\/+$/, '');
  const agent = input.scripts.find((script) => script.path === '/lookout.js');
  const angularJs = input.scripts.find((script) => script.path === '/lookout-angularjs.js');
  const tag = (script: AgentScript | undefined, path: string) =>
    script ? `<script src="${base}${versionedPath(script)}" integrity="${script.integrity}" crossorigin="anonymous"></script>` : `<script src="${base}${path}"></script>`;
  const init = `<script>Lookout.init({ dsn: '${input.dsn}', release: '1.0.0', environment: 'production' });</script>`;
  return [
    { id: 'script-tag', title: 'Script tag (in <head>, before your own scripts)', parts: [{ language: 'html', code: `${tag(agent, '/lookout.js')}\n${init}` }] },
    { id: 'async-loader', title: 'Async loader (does not block the page; no integrity check)', parts: [{ language: 'html', code: `<script>\n${loaderSnippet(`${base}/lookout.js`)}\n</script>\n${init}` }] },
    {
      id: 'npm',
      title: 'npm (any bundler)',
      parts: [
        { language: 'sh', code: 'npm install @lookout/agent' },
        { language: 'ts', code: `import { init } from '@lookout/agent';\n\ninit({ dsn: '${input.dsn}', release: '1.0.0', environment: 'production' });` },
      ],
    },
    {
      id: 'angular',
      title: 'Angular 19+ (standalone; zone.js or zoneless)',
      parts: [
        { language: 'sh', code: 'npm install @lookout/agent' },
        {
          language: 'ts',
          code: `import { provideLookout } from '@lookout/agent/angular';\n\nbootstrapApplication(App, {\n  providers: [\n    provideLookout({ dsn: '${input.dsn}', release: '1.0.0' }),\n    provideRouter(routes),\n  ],\n});`,
        },
      ],
    },
    {
      id: 'angularjs',
      title: 'AngularJS 1.x (script tags, after angular.js)',
      parts: [{ language: 'html', code: `${tag(agent, '/lookout.js')}\n${tag(angularJs, '/lookout-angularjs.js')}\n${init}\n<script>angular.module('app', ['lookout', 'ngRoute']);</script>` }],
    },
  ];
}
