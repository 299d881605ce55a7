import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { Logger } from "pino";

/** A parsed HTTP request as a route sees it. The body is read and size-checked by the server. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a route answers. */
export interface HttpResponse {
  status: number;
  body?: string;
  contentType?: string;
}

/** One route: exact method and path. */
export interface Route {
  method: "GET" | "POST";
  path: string;
  /** Only requests with this content type (ignoring parameters) reach the handler; others get 415. */
  contentType?: "application/json" | "application/x-www-form-urlencoded" | "any";
  handler(req: HttpRequest): Promise<HttpResponse>;
}

/** Options for the HTTP server. */
export interface HttpServerOptions {
  routes: Route[];
  logger: Logger;
  /** Largest accepted body in bytes; larger → 413. @defaultValue 1 MiB */
  maxBodyBytes?: number;
}

/** Parses a JSON body; returns undefined for anything that is not valid JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    // Invalid JSON is the caller's 400, not an exception.
    return undefined;
  }
}

/**
 * The one HTTP server of the process: webhooks, health, metrics. Bad input gets a clear 4xx
 * (unknown path 404, wrong method 405, wrong content type 415, too large 413); a handler that throws
 * gets 500 and is logged, never crashing the process.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const { logger } = options;
  return createServer((req, res) => {
    const send = (r: HttpResponse) => {
      if (res.headersSent) return;
      res.writeHead(r.status, { "content-type": r.contentType ?? "text/plain; charset=utf-8" });
      res.end(r.body ?? "");
    };
    const url = new URL(req.url ?? "/", "http://localhost");
    const samePath = options.routes.filter((r) => r.path === url.pathname);
    if (samePath.length === 0) {
      req.resume();
      return send({ status: 404, body: "not found\n" });
    }
    const route = samePath.find((r) => r.method === req.method);
    if (!route) {
      req.resume();
      return send({ status: 405, body: `method ${req.method} not allowed\n` });
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (
      route.method === "POST" &&
      route.contentType !== "any" &&
      type !== (route.contentType ?? "application/json")
    ) {
      req.resume();
      return send({ status: 415, body: `content-type must be ${route.contentType ?? "application/json"}\n` });
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) {
      req.resume();
      return send({ status: 413, body: `body larger than ${maxBody} bytes\n` });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        tooLarge = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (err) => logger.warn({ err, path: url.pathname }, "http request stream failed"));
    req.on("end", () => {
      if (tooLarge) return send({ status: 413, body: `body larger than ${maxBody} bytes\n` });
      const request: HttpRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      route.handler(request).then(send, (err: unknown) => {
        logger.error({ err, path: url.pathname }, "http handler failed");
        send({ status: 500, body: "internal error\n" });
      });
    });
  });
}
