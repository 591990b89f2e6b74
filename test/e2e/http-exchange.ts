import { connect } from 'node:net';

/** One HTTP answer, however it was obtained: status, lower-cased headers, raw text, parsed JSON (if any). */
export interface HttpExchange {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function fetchExchange(url: string, init: RequestInit = {}): Promise<HttpExchange> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, body: parseJson(text) };
}

/**
 * Writes `request` as is on a fresh TCP connection and reads the one response, for requests
 * fetch would refuse to send or that Node refuses before routing (the server closes the
 * connection after answering those). Gives up after `timeoutMs` of silence.
 */
export function rawExchange(port: number, request: string | Buffer, { timeoutMs = 10_000 } = {}): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      const parsed = parseRawResponse(received);
      if (parsed === undefined) return;
      settled = true;
      socket.destroy();
      resolve(parsed);
    };
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete response within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    const fail = (error: Error) => {
      finish();
      if (settled) return;
      settled = true;
      reject(error);
    };
    // A reset once the response is in is expected: the server destroys the socket after answering.
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`closed after ${received.length} bytes: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)));
    socket.write(request);
  });
}

/** The response, once the head and `content-length` bytes of body have arrived. */
function parseRawResponse(bytes: Buffer): HttpExchange | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = bytes.subarray(headEnd + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  const text = body.toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, text, body: parseJson(text) };
}
