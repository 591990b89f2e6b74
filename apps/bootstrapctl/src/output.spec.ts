import { parse } from 'yaml';
import { BootstrapResponse } from '@app/contracts';
import { eventLine } from './events';
import { formatOutput } from './output';

const RESPONSE = {
  message: 'Successfully bootstrapped instance',
  user: { id: 'u-1', email: 'admin@example.com' },
  organization: { id: 'o-1', name: 'dog', slug: 'dog' },
  identity: { id: 'i-1', name: 'Instance Admin Identity', credentials: { token: 'eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.sig-_' } },
} as unknown as BootstrapResponse;

describe(formatOutput.name, () => {
  it('json: the response as it came', () => {
    expect(JSON.parse(formatOutput(RESPONSE, { output: 'json', k8SecretName: 'n' }))).toEqual(RESPONSE);
  });

  it('env: INFISICAL_TOKEN=… lines', () => {
    const text = formatOutput(RESPONSE, { output: 'env', k8SecretName: 'n' });
    expect(text.split('\n')).toEqual(['INFISICAL_TOKEN=eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.sig-_', 'INFISICAL_IDENTITY_ID=i-1', 'INFISICAL_ORGANIZATION_ID=o-1', '']);
  });

  it('k8-secret: a Secret manifest with the plain token in stringData (no double base64)', () => {
    const manifest = parse(formatOutput(RESPONSE, { output: 'k8-secret', k8SecretName: 'infisical-bootstrap', k8SecretNamespace: 'infisical' }));
    expect(manifest).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'infisical-bootstrap', namespace: 'infisical' },
      stringData: { token: RESPONSE.identity.credentials.token, identityId: 'i-1', organizationId: 'o-1' },
    });
    expect(manifest.data).toBeUndefined();
    expect(parse(formatOutput(RESPONSE, { output: 'k8-secret', k8SecretName: 'x' })).metadata).not.toHaveProperty('namespace');
  });
});

describe(eventLine.name, () => {
  it('prints {subject, ...payload} as one JSON line, and a non-JSON payload as data', () => {
    const data = new TextEncoder().encode(JSON.stringify({ sagaId: 's', eventId: 'e' }));
    expect(eventLine('bootstrap.evt.started', data)).toBe('{"subject":"bootstrap.evt.started","sagaId":"s","eventId":"e"}\n');
    expect(eventLine('bootstrap.evt.x', new TextEncoder().encode('hi'))).toBe('{"subject":"bootstrap.evt.x","data":"hi"}\n');
  });
});
