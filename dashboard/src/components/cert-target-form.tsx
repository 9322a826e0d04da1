/** Adding a certificate target: host, port, protocol and an optional SNI name, as the API takes them. */
import { useState } from 'preact/hooks';
import { api } from '../api.js';

const PROTOCOLS: [string, string][] = [
  ['tls', 'TLS (HTTPS, SMTPS, IMAPS…)'],
  ['smtp', 'SMTP STARTTLS'],
  ['imap', 'IMAP STARTTLS'],
  ['pop3', 'POP3 STARTTLS'],
  ['ftp', 'FTP AUTH TLS'],
  ['postgres', 'PostgreSQL'],
];

export function CertTargetForm(props: { projectId: number; onAdded: () => void }) {
  const [host, setHost] = useState('');
  const [port, setPort] = useState('443');
  const [protocol, setProtocol] = useState('tls');
  const [serverName, setServerName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api(`/api/${props.projectId}/certs/targets`, {
        method: 'POST',
        body: { host: host.trim(), port: Number(port), protocol, ...(serverName.trim() ? { server_name: serverName.trim() } : {}) },
      });
      setHost('');
      setServerName('');
      props.onAdded();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel cert-form" onSubmit={submit} aria-labelledby="cert-form-heading">
      <h2 id="cert-form-heading">Add a target</h2>
      <div class="cert-form-fields">
        <label>
          Host
          <input name="host" required placeholder="shop.example.com" value={host} onInput={(e) => setHost(e.currentTarget.value)} />
        </label>
        <label>
          Port
          <input name="port" type="number" min={1} max={65535} required value={port} onInput={(e) => setPort(e.currentTarget.value)} />
        </label>
        <label>
          Protocol
          <select name="protocol" value={protocol} onChange={(e) => setProtocol(e.currentTarget.value)}>
            {PROTOCOLS.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          Server name (SNI, optional)
          <input name="server_name" placeholder="same as host" value={serverName} onInput={(e) => setServerName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add target'}
        </button>
      </div>
      {error && (
        <p class="failure" role="alert">
          {error}
        </p>
      )}
      <p class="hint">Every address the name resolves to is checked on its own, hourly, and at once when added.</p>
    </form>
  );
}
