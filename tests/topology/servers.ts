import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../helpers/redis-server.js";

/**
 * Real Redis topologies for the topology tests, started with the Debian `redis-server` on free
 * loopback ports in a temp dir: a Cluster of three primaries, and a primary with a replica watched
 * by three Sentinels. Optional password (`requirepass`/`masterauth`) and TLS (a throwaway CA made
 * with `openssl`). Persistence as production runs it: AOF with `appendfsync everysec`.
 */

/** Credentials and TLS of a topology. */
export interface Security {
  password?: string;
  /** Serve TLS only (no plain port), with a certificate from a throwaway CA. */
  tls?: boolean;
}

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost. */
export interface TestCerts {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Makes a CA and a server certificate in `dir` (EC keys: fast). */
export function makeCerts(dir: string): TestCerts {
  const f = (name: string) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  run([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=sb-test-ca",
  ]);
  run(["req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost"]);
  writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run([
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.crt"),
    "-days",
    "2",
    "-extfile",
    f("san.ext"),
  ]);
  return { caFile: f("ca.crt"), certFile: f("server.crt"), keyFile: f("server.key") };
}

/** One redis-server (or Sentinel) child process. */
export interface ServerProcess {
  port: number;
  proc: ChildProcess;
  /** SIGKILL (a crash), resolved once it has exited. */
  kill(): Promise<void>;
}

/** The arguments that make a server listen on `port` with the topology's security. */
function listenArgs(port: number, security: Security, certs: TestCerts | undefined): string[] {
  const args = ["--bind", "127.0.0.1"];
  if (security.tls && certs)
    args.push(
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      certs.certFile,
      "--tls-key-file",
      certs.keyFile,
      "--tls-ca-cert-file",
      certs.caFile,
      "--tls-auth-clients",
      "no",
      "--tls-replication",
      "yes",
    );
  else args.push("--port", String(port));
  if (security.password) args.push("--requirepass", security.password, "--masterauth", security.password);
  return args;
}

/** Persistence as production runs it (README «Redis»): AOF, fsync once a second, no RDB snapshots. */
const PERSISTENCE = ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""];

/** Starts redis-server with `args`, resolved once it accepts connections. */
async function launch(port: number, args: string[]): Promise<ServerProcess> {
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/Ready to accept connections|Sentinel ID is/.test(out)) {
        proc.stdout?.off("data", onData);
        // Keep draining the pipe so a chatty server never blocks on a full one.
        proc.stdout?.resume();
        resolve();
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.resume();
    proc.once("exit", (code) =>
      reject(new Error(`redis-server ${args.join(" ")} exited early (${code}): ${out}`)),
    );
  });
  return {
    port,
    proc,
    kill: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGKILL");
      }),
  };
}

/** Connection options of a plain client to one of the servers (tests only). */
export function clientOptions(port: number, security: Security, certs?: TestCerts) {
  return {
    host: "127.0.0.1",
    port,
    maxRetriesPerRequest: null,
    ...(security.password ? { password: security.password } : {}),
    ...(security.tls && certs ? { tls: { ca: readFileSync(certs.caFile) } } : {}),
  };
}

/** Polls `check` every 100 ms until it holds (a server's state has no event to await). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running topology. */
interface Topology {
  dir: string;
  certs?: TestCerts;
  security: Security;
  /** Stops every process and removes the data. */
  stop(): Promise<void>;
}

/** One Redis server. */
export interface TestSingle extends Topology {
  server: ServerProcess;
}

/** Starts one redis-server with the given security (e.g. TLS only, with a password). */
export async function startSingle(security: Security = {}): Promise<TestSingle> {
  const dir = mkdtempSync(join(tmpdir(), "sb-single-"));
  const certs = security.tls ? makeCerts(dir) : undefined;
  const port = await freePort();
  const server = await launch(port, [...listenArgs(port, security, certs), "--dir", dir, ...PERSISTENCE]);
  return {
    dir,
    ...(certs ? { certs } : {}),
    security,
    server,
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of three primaries (no replicas). */
export interface TestCluster extends Topology {
  nodes: ServerProcess[];
  /** `REDIS_CLUSTER_NODES` for the service. */
  nodesList: string;
}

/** Starts three `--cluster-enabled yes` servers and joins them with `redis-cli --cluster create`. */
export async function startCluster(security: Security = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "sb-cluster-"));
  const certs = security.tls ? makeCerts(dir) : undefined;
  const nodes: ServerProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // The bus port is chosen too: port + 10000 may not be free (or may not exist).
      const busPort = await freePort();
      const nodeDir = join(dir, `n${i}`);
      mkdirSync(nodeDir);
      const args = [
        ...listenArgs(port, security, certs),
        "--dir",
        nodeDir,
        "--cluster-enabled",
        "yes",
        "--cluster-port",
        String(busPort),
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "2000",
        ...PERSISTENCE,
        ...(security.tls ? ["--tls-cluster", "yes"] : []),
      ];
      nodes.push(await launch(port, args));
    }
    const cli = [
      ...(security.password ? ["-a", security.password, "--no-auth-warning"] : []),
      ...(security.tls && certs ? ["--tls", "--cacert", certs.caFile] : []),
    ];
    execFileSync(
      "redis-cli",
      [
        ...cli,
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { stdio: "ignore" },
    );
    for (const node of nodes) {
      const c = new Redis({ ...clientOptions(node.port, security, certs), lazyConnect: true });
      await until(async () => {
        if (c.status === "wait") await c.connect();
        const info = await c.cluster("INFO");
        return String(info).includes("cluster_state:ok") && String(info).includes("cluster_known_nodes:3");
      }, `cluster node ${node.port} to see the cluster ok`);
      c.disconnect();
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    ...(certs ? { certs } : {}),
    security,
    nodes,
    nodesList: nodes.map((n) => `127.0.0.1:${n.port}`).join(","),
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A primary and a replica watched by three Sentinels (quorum 2). */
export interface TestSentinels extends Topology {
  primary: ServerProcess;
  replica: ServerProcess;
  sentinels: ServerProcess[];
  /** `REDIS_SENTINELS` for the service. */
  sentinelsList: string;
  name: string;
  /** Resolves with the port of the primary the Sentinels name now. */
  primaryPort(): Promise<number>;
}

/** How long a Sentinel waits before it calls an unanswering primary down. */
export const DOWN_AFTER_MS = 1000;

/**
 * Starts a primary, a replica of it, and three Sentinels; resolves once the Sentinels know each
 * other and the replica, and the replica is in sync.
 */
export async function startSentinels(security: Security = {}): Promise<TestSentinels> {
  const dir = mkdtempSync(join(tmpdir(), "sb-sentinel-"));
  const certs = security.tls ? makeCerts(dir) : undefined;
  const name = "sbprimary";
  const started: ServerProcess[] = [];
  const data = (port: number) => [
    "--dir",
    dir,
    "--dbfilename",
    `dump-${port}.rdb`,
    "--appendfilename",
    `aof-${port}`,
    "--appenddirname",
    `aof-${port}`,
    ...PERSISTENCE,
    // Replicas announce themselves by IP: the Sentinels must reach them at 127.0.0.1.
    "--replica-announce-ip",
    "127.0.0.1",
  ];
  try {
    const primaryPort = await freePort();
    const primary = await launch(primaryPort, [
      ...listenArgs(primaryPort, security, certs),
      ...data(primaryPort),
    ]);
    started.push(primary);
    const replicaPort = await freePort();
    const replica = await launch(replicaPort, [
      ...listenArgs(replicaPort, security, certs),
      ...data(replicaPort),
      "--replicaof",
      "127.0.0.1",
      String(primaryPort),
    ]);
    started.push(replica);
    const sentinels: ServerProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      const tlsLines =
        security.tls && certs
          ? [
              "port 0",
              `tls-port ${port}`,
              `tls-cert-file ${certs.certFile}`,
              `tls-key-file ${certs.keyFile}`,
              `tls-ca-cert-file ${certs.caFile}`,
              "tls-auth-clients no",
              "tls-replication yes",
            ]
          : [`port ${port}`];
      writeFileSync(
        conf,
        [
          "bind 127.0.0.1",
          ...tlsLines,
          `dir ${dir}`,
          "sentinel announce-ip 127.0.0.1",
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          ...(security.password ? [`sentinel auth-pass ${name} ${security.password}`] : []),
          "",
        ].join("\n"),
      );
      const sentinel = await launch(port, [conf, "--sentinel"]);
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    const ask = (port: number) => new Redis({ ...clientOptions(port, security, certs), password: undefined });
    for (const s of sentinels) {
      const c = ask(s.port);
      await until(async () => {
        const others = (await c.call("SENTINEL", "SENTINELS", name)) as unknown[];
        const replicas = (await c.call("SENTINEL", "REPLICAS", name)) as string[][];
        const up = replicas.some((r) => {
          const flags = r[r.indexOf("flags") + 1] ?? "";
          return !flags.includes("down") && !flags.includes("disconnected");
        });
        return others.length === 2 && up;
      }, `Sentinel ${s.port} to know the others and the replica`);
      c.disconnect();
    }
    const r = new Redis(clientOptions(replicaPort, security, certs));
    await until(
      async () => (await r.info("replication")).includes("master_link_status:up"),
      "replica in sync",
    );
    r.disconnect();
    return {
      dir,
      ...(certs ? { certs } : {}),
      security,
      primary,
      replica,
      sentinels,
      name,
      sentinelsList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(","),
      async primaryPort() {
        const c = ask(sentinels[0]?.port ?? 0);
        try {
          const addr = (await c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[];
          return Number(addr[1]);
        } finally {
          c.disconnect();
        }
      },
      async stop() {
        await Promise.all(started.map((p) => p.kill()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
