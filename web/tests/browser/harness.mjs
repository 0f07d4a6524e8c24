// Starts what the browser tests drive: a sync server, terminal-client
// devices, and `tandem ui` for each; stops them all at the end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

const tandem = process.env.TANDEM_BIN;
const serverBin = process.env.TANDEM_SERVER_BIN;
if (!tandem || !serverBin) throw new Error('TANDEM_BIN and TANDEM_SERVER_BIN must be set (scripts/test-browser sets them)');

export class World {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'tandem-ui-'));
    this.children = [];
  }

  // Starts a child and resolves with the first stdout line matching `re`.
  start(cmd, args, re, env = {}) {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${err}`)), 20000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(re);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${err}`)));
    });
  }

  async server() {
    this.url = await this.start(serverBin, ['--listen', '127.0.0.1:0', '--db', `sqlite:${join(this.dir, 'sync.db')}`], /listening on (\S+)/);
    return this.url;
  }

  home(who) { return join(this.dir, who); }

  // Runs the terminal client for `who` and returns its JSON output.
  cli(who, ...args) {
    const out = execFileSync(tandem, ['--home', this.home(who), '--json', ...args], { encoding: 'utf8' });
    return out.trim() ? JSON.parse(out) : null;
  }

  // `tandem ui` for `who`; resolves with the URL it prints first.
  ui(who) {
    return this.start(tandem, ['--home', this.home(who), 'ui', '--listen', '127.0.0.1:0'], /^(http:\/\/\S+)\n/);
  }

  stop() {
    for (const c of this.children) c.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A raw HTTP request (the Host header can be set, unlike with fetch).
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
