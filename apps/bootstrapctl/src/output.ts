import type { BootstrapResponse } from '@app/contracts';
import type { OutputFormat } from './options';

export interface OutputOptions {
  output: OutputFormat;
  k8SecretName: string;
  k8SecretNamespace?: string;
}

/** A YAML scalar: JSON's double-quoted strings are YAML double-quoted strings too. */
const yamlString = (value: string) => JSON.stringify(value);

/** `env`: lines for a .env file or `export $(cat …)`; values are ids and a JWT, no quoting needed. */
function envLines(response: BootstrapResponse): string {
  return [
    `INFISICAL_TOKEN=${response.identity.credentials.token}`,
    `INFISICAL_IDENTITY_ID=${response.identity.id}`,
    `INFISICAL_ORGANIZATION_ID=${response.organization.id}`,
  ].join('\n');
}

/** `k8-secret`: a Secret manifest with the token in stringData (plain text: Kubernetes encodes it once). */
function k8Secret(response: BootstrapResponse, options: OutputOptions): string {
  const lines = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${yamlString(options.k8SecretName)}`,
  ];
  if (options.k8SecretNamespace !== undefined) lines.push(`  namespace: ${yamlString(options.k8SecretNamespace)}`);
  lines.push(
    '  labels:',
    '    app.kubernetes.io/managed-by: "bootstrapctl"',
    'type: Opaque',
    'stringData:',
    `  token: ${yamlString(response.identity.credentials.token)}`,
    `  identityId: ${yamlString(response.identity.id)}`,
    `  organizationId: ${yamlString(response.organization.id)}`,
  );
  return lines.join('\n');
}

/** The text `bootstrap` writes (stdout or --out), ending in a newline. */
export function formatOutput(response: BootstrapResponse, options: OutputOptions): string {
  switch (options.output) {
    case 'env':
      return `${envLines(response)}\n`;
    case 'k8-secret':
      return `${k8Secret(response, options)}\n`;
    case 'json':
    default:
      return `${JSON.stringify(response, null, 2)}\n`;
  }
}
