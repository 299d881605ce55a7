import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer, parseJson } from "../../src/http/server.js";

let base = "";
const server = createHttpServer({
  logger: pino({ level: "silent" }),
  maxBodyBytes: 1024,
  routes: [
    {
      method: "POST",
      path: "/hook",
      async handler(req) {
        const body = parseJson(req.body);
        if (typeof body !== "object" || body === null) return { status: 400, body: "bad json\n" };
        return { status: 200, body: "ok" };
      },
    },
    {
      method: "GET",
      path: "/boom",
      async handler() {
        throw new Error("handler bug");
      },
    },
  ],
});

beforeAll(async () => {
  base = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
});
afterAll(async () => {
  await server.close();
});

const post = (body: string, type = "application/json") =>
  fetch(`${base}/hook`, { method: "POST", body, headers: { "content-type": type } });

describe("HTTP server on bad input", () => {
  it("answers 400 to malformed JSON and 200 to a valid body", async () => {
    expect((await post("{not json")).status).toBe(400);
    expect((await post('{"a":1}')).status).toBe(200);
  });

  it("answers 413 to a body over the limit, declared or streamed", async () => {
    expect((await post(JSON.stringify({ a: "x".repeat(5000) }))).status).toBe(413);
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
        c.close();
      },
    });
    const res = await fetch(`${base}/hook`, {
      method: "POST",
      body: chunked,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("answers 415 to a wrong content type, 404 to an unknown path, 405 to a wrong method", async () => {
    expect((await post("a=1", "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/hook`)).status).toBe(405);
  });

  it("answers 500 when a handler throws, and keeps serving", async () => {
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await post('{"a":1}')).status).toBe(200);
  });
});
