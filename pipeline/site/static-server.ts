/**
 * A static file server for a built site, on 127.0.0.1 and a free port, serving `outDir` under `base` the way
 * GitHub Pages does (folder → index.html, unknown path → 404.html with status 404). For tests, bench:site and
 * screenshots.
 *
 * The files are served by sirv (what Vite's preview uses), built once from a listing of `outDir`: only files that
 * are in that folder can be answered, whatever a request's path spells (`..`, encoded slashes, a sibling folder
 * whose name begins like this one's). Kept here: the base path, Pages' 404 page, our cache headers, and a 400 for
 * a path whose escapes do not decode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(outDir: string, base: string): Promise<RunningServer> {
  const root = path.resolve(outDir);
  const notFoundPage = path.join(root, '404.html');
  const notFound = (response: ServerResponse) => {
    response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(existsSync(notFoundPage) ? readFileSync(notFoundPage) : 'not found');
  };
  const files = sirv(root, {
    dev: false,
    etag: true,
    setHeaders: (response, pathname) =>
      response.setHeader('cache-control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
    onNoMatch: (_request, response) => notFound(response),
  });

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x');
    try {
      decodeURIComponent(url.pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request: the path does not decode');
      return;
    }
    if (!url.pathname.startsWith(base)) return notFound(response);
    // sirv serves from the site's root: the base path is ours to remove.
    request.url = `/${url.pathname.slice(base.length)}${url.search}`;
    files(request, response, () => notFound(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
