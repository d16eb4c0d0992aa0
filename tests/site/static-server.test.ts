/**
 * The static server that tests, bench:site and the README screenshots use (pipeline/site/static-server.ts): it
 * serves a built site under its base path as GitHub Pages does, and nothing outside it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type RunningServer } from '../../pipeline/site/static-server.ts';

describe('the static server', () => {
  let parent: string;
  let server: RunningServer;
  /** A raw request (fetch would normalise `..` away), its status and body. */
  const get = async (rawPath: string) => {
    const { hostname, port } = new URL(server.url);
    const { request } = await import('node:http');
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ hostname, port, path: rawPath }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  };

  beforeAll(async () => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'static-server-'));
    const site = path.join(parent, 'site-1234');
    mkdirSync(path.join(site, 'article'), { recursive: true });
    writeFileSync(path.join(site, 'index.html'), 'home');
    writeFileSync(path.join(site, 'article', 'index.html'), 'article');
    writeFileSync(path.join(site, '404.html'), 'missing');
    // A sibling whose name begins like the site's: the old prefix check let requests reach it.
    mkdirSync(path.join(parent, 'site-1234-secret'));
    writeFileSync(path.join(parent, 'site-1234-secret', 'x'), 'secret');
    writeFileSync(path.join(parent, 'outside.txt'), 'outside');
    server = await serveStatic(site, '/base/');
  });
  afterAll(async () => {
    await server.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('serves folders as their index.html, and unknown paths as 404.html with status 404', async () => {
    expect(await get('/base/')).toEqual({ status: 200, body: 'home' });
    expect(await get('/base/article/')).toEqual({ status: 200, body: 'article' });
    expect(await get('/base/nowhere/')).toEqual({ status: 404, body: 'missing' });
    expect(await get('/elsewhere/')).toEqual({ status: 404, body: 'missing' });
  });

  it('never answers with a file outside the site', async () => {
    for (const escape of [
      '/base/..%2Fsite-1234-secret%2Fx',
      '/base/../site-1234-secret/x',
      '/base/%2e%2e/outside.txt',
      '/base/..%2F..%2Foutside.txt',
      '/base/..\\outside.txt',
    ]) {
      const { status, body } = await get(escape);
      expect(body, escape).not.toMatch(/secret|outside/);
      expect(status, escape).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a path whose escapes do not decode with 400, and keeps serving', async () => {
    expect((await get('/base/%E0%A4%A')).status).toBe(400);
    expect(await get('/base/')).toEqual({ status: 200, body: 'home' });
  });
});
