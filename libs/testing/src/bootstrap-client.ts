/** The seed's request, as Infisical documents it. */
export const SEED_REQUEST = {
  email: 'admin@example.com',
  password: 'your-secure-password',
  organization: 'dog',
};

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** POSTs JSON (or a raw string) and returns status, headers and the parsed body. */
export async function postJson<T = any>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export async function getJson<T = any>(url: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export function bootstrap(gatewayUrl: string, body: unknown = SEED_REQUEST, headers: Record<string, string> = {}) {
  return postJson(`${gatewayUrl}/api/v1/admin/bootstrap`, body, headers);
}
