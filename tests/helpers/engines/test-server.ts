/**
 * The test site as the browser tests see it: the product's static server (pipeline/site/static-server.ts) behind
 * a recording proxy. The proxy logs every request with its status (for failed requests and tile loads, the same
 * in every engine), knows when the network is idle, and puts one script at the top of each page's <head> that
 * records the page's uncaught errors, rejected promises and console errors — so that WebKit, whose WebDriver has
 * no console or error events, is checked exactly as Chromium and Firefox are.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStatic, type RunningServer } from '../../../pipeline/site/static-server.ts';

export interface RecordedRequest {
  /** The path and query, as the browser asked for it. */
  url: string;
  status: number;
}

export interface TestServer {
  /** Where the site's base path is served: http://127.0.0.1:PORT/base/. */
  url: string;
  /** Every request so far, in the order they were answered. */
  requests: RecordedRequest[];
  /** Resolves once no request has been open for `quietMs` (or rejects after `timeoutMs`). */
  idle(quietMs?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** In-page error recorder: the first script of every page, so that nothing runs before it. Plain ES5 on purpose. */
export const ERROR_RECORDER = `<script>(function(){var e=window.__testErrors=[];
addEventListener('error',function(v){var t=v.target;if(t&&t!==window&&(t.src||t.href)){e.push('failed to load: '+(t.src||t.href));}else{e.push('page error: '+v.message);}},true);
addEventListener('unhandledrejection',function(v){var r=v.reason;e.push('unhandled rejection: '+(r&&r.message||r));});
var c=console.error;console.error=function(){e.push('console: '+[].map.call(arguments,String).join(' '));return c.apply(console,arguments);};})();</script>`;

export async function serveTestSite(outDir: string, base: string): Promise<TestServer> {
  const inner: RunningServer = await serveStatic(outDir, base);
  const innerOrigin = new URL(inner.url).origin;
  const requests: RecordedRequest[] = [];
  let open = 0;
  let lastActivity = Date.now();

  const server: Server = createServer((request, response) => {
    open++;
    lastActivity = Date.now();
    const url = request.url ?? '/';
    void fetch(innerOrigin + url)
      .then(async (answer) => {
        const type = answer.headers.get('content-type') ?? 'application/octet-stream';
        let body = Buffer.from(await answer.arrayBuffer());
        if (type.startsWith('text/html')) body = Buffer.from(body.toString('utf8').replace(/<head([^>]*)>/i, (head) => head + ERROR_RECORDER));
        const headers: Record<string, string> = { 'content-type': type, 'content-length': String(body.length) };
        const cache = answer.headers.get('cache-control');
        if (cache) headers['cache-control'] = cache;
        response.writeHead(answer.status, headers);
        response.end(body);
        requests.push({ url, status: answer.status });
      })
      .catch((error: Error) => {
        response.writeHead(502).end(String(error));
        requests.push({ url, status: 502 });
      })
      .finally(() => {
        open--;
        lastActivity = Date.now();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    async idle(quietMs = 500, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (open > 0 || Date.now() - lastActivity < quietMs) {
        if (Date.now() > deadline) throw new Error(`The network did not go quiet within ${timeoutMs / 1000} s (${open} requests open).`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inner.close();
    },
  };
}
