/** One target: each address with its verdicts (plain-language messages) and chain, and the history of leaf fingerprints. */
import { dateTime } from '../format.js';
import { useApi } from '../use-api.js';
import { type CertAddress, type CertTargetRow, type FingerprintSeen, daysText, StateBadge, stateClass } from './cert-types.js';

export function CertDetail(props: { projectId: number; target: CertTargetRow; version: number }) {
  const { target } = props;
  const history = useApi<{ fingerprints: FingerprintSeen[] }>(`/api/${props.projectId}/certs/targets/${encodeURIComponent(target.id)}/history?v=${props.version}`);
  return (
    <section class="panel cert-detail" aria-labelledby="cert-detail-heading">
      <h2 id="cert-detail-heading">{target.label}</h2>
      <p class="muted">
        {target.protocol === 'tls' ? 'TLS' : `${target.protocol} STARTTLS`}
        {target.server_name ? `, server name ${target.server_name}` : ''}, warning at {target.warn_days} days, critical at {target.crit_days} days
        {target.check ? `, checked ${dateTime(target.check.checked_at)}` : ', not checked yet'}
      </p>
      {target.check?.addresses.map((address) => <CertAddressPanel address={address} />)}
      <h3>Certificates seen</h3>
      {history.error && <p class="failure">{history.error.message}</p>}
      {history.data && (history.data.fingerprints.length ? <FingerprintTable rows={history.data.fingerprints} /> : <p class="muted">No certificate seen yet.</p>)}
    </section>
  );
}

function CertAddressPanel(props: { address: CertAddress }) {
  const { address } = props;
  return (
    <div class="cert-address">
      <h3>
        {address.address ?? 'name resolution'} <StateBadge state={address.state} /> <span class="muted">{daysText(address.min_days_left)}</span>
      </h3>
      {address.connected ? (
        <p class="muted">
          {address.protocol_version} {address.cipher}
        </p>
      ) : (
        <p class="failure">{address.error ?? 'no TLS session'}</p>
      )}
      {address.verdicts.length > 0 && (
        <ul class="cert-verdicts">
          {address.verdicts.map((verdict) => (
            <li>
              <span class={`badge ${stateClass(verdict.severity === 'info' ? 'ok' : verdict.severity)}`}>{verdict.code.replaceAll('_', ' ')}</span> {verdict.message}
            </li>
          ))}
        </ul>
      )}
      {address.chain.length > 0 && (
        <table class="cert-chain">
          <caption>Chain</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Subject</th>
              <th scope="col">Issuer</th>
              <th scope="col">Valid until</th>
              <th scope="col">Days left</th>
              <th scope="col">Key</th>
              <th scope="col">Signature</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {address.chain.map((cert) => (
              <tr>
                <td class="num">
                  {cert.position}
                  {cert.presented ? '' : ' (from trust store)'}
                </td>
                <td>
                  {cert.subject}
                  {cert.position === 0 && cert.subjectAltNames.length > 0 && <div class="muted">{cert.subjectAltNames.join(', ')}</div>}
                </td>
                <td>{cert.issuer}</td>
                <td>{dateTime(cert.notAfter)}</td>
                <td class="num">{cert.daysLeft}</td>
                <td>
                  {cert.keyType} {cert.keyBits ?? ''}
                </td>
                <td>{cert.signatureAlgorithm}</td>
                <td class="mono cert-fingerprint">{cert.fingerprintSha256}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function FingerprintTable(props: { rows: FingerprintSeen[] }) {
  return (
    <table class="cert-history">
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Leaf SHA-256</th>
          <th scope="col">Issuer</th>
          <th scope="col">Valid until</th>
          <th scope="col">First seen</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <td>{row.address ?? '–'}</td>
            <td class="mono cert-fingerprint">{row.fingerprint_sha256}</td>
            <td>{row.issuer}</td>
            <td>{row.not_after ? dateTime(row.not_after) : '–'}</td>
            <td>{dateTime(row.first_seen)}</td>
            <td>{dateTime(row.last_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
