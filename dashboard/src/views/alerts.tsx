/**
 * Alerts: the project's rules (`/alerts`), one rule with its state, test and history
 * (`/alerts/:id`, `?edit=1` to edit), and the form for a new one (`/alerts/new`).
 */
import { useLocation, useRoute } from 'preact-iso';
import { AlertHistory } from '../components/alert-history.js';
import { RuleDetail } from '../components/rule-detail.js';
import { RuleForm } from '../components/rule-form.js';
import { RuleList } from '../components/rule-list.js';
import { emptyDraft } from '../components/rule-draft.js';
import { type ApiRule } from '../components/rule-model.js';
import { Empty, Failure, View } from '../components/view.js';
import { useApp } from '../session.js';
import { useApi } from '../use-api.js';

export function Alerts() {
  const { projectId } = useApp();
  const { params, query } = useRoute();
  const { route } = useLocation();
  const rules = useApi<{ rules: ApiRule[] }>(`/api/${projectId}/alerts/rules`);
  const id = params.id;

  if (id === 'new') {
    return (
      <View title="New alert rule" ready={true} actions={<a href="/alerts">All rules</a>}>
        <RuleForm
          projectId={projectId}
          ruleId={null}
          initial={emptyDraft()}
          onSaved={(rule) => {
            rules.reload();
            route(`/alerts/${encodeURIComponent(rule.id)}`);
          }}
          onCancel={() => route('/alerts')}
        />
      </View>
    );
  }

  if (id) {
    const rule = rules.data?.rules.find((candidate) => candidate.id === id);
    return (
      <View title={rule ? `Alert rule: ${rule.name}` : 'Alert rule'} ready={!!rules.data || !!rules.error} actions={<a href="/alerts">All rules</a>}>
        <Failure error={rules.error} retry={rules.reload} />
        {rules.data && !rule && (
          <Empty title="No such rule">
            <p>
              Project #{projectId} has no alert rule “{id}”: it may have been deleted, or belong to another project. <a href="/alerts">See the rules</a>.
            </p>
          </Empty>
        )}
        {rule && (
          <RuleDetail
            key={rule.id}
            projectId={projectId}
            rule={rule}
            edit={query.edit === '1'}
            enabled={query.enabled === undefined ? undefined : query.enabled === '1'}
            onChanged={rules.reload}
          />
        )}
      </View>
    );
  }

  const list = rules.data?.rules ?? [];
  return (
    <View
      title="Alerts"
      ready={!!rules.data || !!rules.error}
      actions={
        <a class="button primary" href="/alerts/new">
          New rule
        </a>
      }
    >
      <Failure error={rules.error} retry={rules.reload} />
      {rules.data && list.length === 0 && (
        <Empty title="No alert rules yet">
          <p>
            Rules send a message to Slack, a webhook or Icinga2 when a new issue appears, an issue regresses or bursts, the error rate or a Web Vital crosses a
            threshold, or the app goes silent. <a href="/alerts/new">Create the first rule</a>.
          </p>
          <p>
            No data yet? Install the snippet from <a href="/projects">Projects</a>, then open <a href="/demo/">/demo/</a> to see events arrive.
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <section class="panel" aria-labelledby="rules-heading">
          <h2 id="rules-heading">Rules</h2>
          <RuleList projectId={projectId} rules={list} onChanged={rules.reload} />
          <p class="hint">Rules from the config file are read-only here: change the file and restart the collector.</p>
        </section>
      )}
      <AlertHistory projectId={projectId} />
    </View>
  );
}
