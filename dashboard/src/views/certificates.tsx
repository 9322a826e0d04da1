/**
 * Certificates (`/certificates`, `?target=<id>` for one): the project's TLS targets with their
 * latest check — days left, verdicts, every address — a form to add one, check now, remove, and
 * for the selected target its chain and the leaf fingerprints seen over time.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { CertDetail } from '../components/cert-detail.js';
import { CertTargetForm } from '../components/cert-target-form.js';
import { CertTargets } from '../components/cert-targets.js';
import type { CertTargetRow } from '../components/cert-types.js';
import { Empty, Failure, View } from '../components/view.js';
import { useApp } from '../session.js';
import { useApi } from '../use-api.js';

export function Certificates() {
  const { projectId } = useApp();
  const { query } = useRoute();
  const [version, setVersion] = useState(0);
  const polls = useRef(0);
  const list = useApi<{ targets: CertTargetRow[] }>(`/api/${projectId}/certs?v=${version}`);
  const changed = () => {
    polls.current = 0;
    setVersion((v) => v + 1);
  };
  const targets = list.data?.targets ?? [];
  // A target just added is checked at once, in the background: ask again until its first check
  // is there (a check is bounded by its 10 s timeout per step; give up after about 30 s).
  const pending = targets.some((target) => !target.check);
  useEffect(() => {
    if (!pending || list.loading || polls.current >= 20) return;
    const timer = setTimeout(() => {
      polls.current++;
      // A new version reloads the list and the selected target's history alike.
      setVersion((v) => v + 1);
    }, 1500);
    return () => clearTimeout(timer);
  }, [pending, list.loading, list.data]);
  const selected = targets.find((target) => target.id === query.target) ?? (targets.length === 1 ? targets[0] : undefined);

  return (
    <View title="Certificates" ready={!!list.data || !!list.error}>
      <Failure error={list.error} retry={list.reload} />
      {list.data && targets.length === 0 && (
        <Empty title="No certificate is watched yet">
          <p>
            Add a host below (for example your site on port 443, or your mail server on 587 with SMTP STARTTLS). Lookout checks every
            address it resolves to, every certificate of the chain, and tells you before one expires — add <code>cert.expiry</code> rules under
            Alerts to be notified. Targets can also be listed in the config file under <code>certs.targets</code>.
          </p>
        </Empty>
      )}
      {targets.length > 0 && <CertTargets projectId={projectId} targets={targets} selected={selected?.id ?? null} onChanged={changed} />}
      {selected && <CertDetail key={selected.id} projectId={projectId} target={selected} version={version} />}
      {list.data && <CertTargetForm projectId={projectId} onAdded={changed} />}
    </View>
  );
}
