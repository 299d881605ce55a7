import { z } from "zod";
import { type OperatorProfile, OperatorProfileError } from "../flows/profile.js";
import { readOperatorProfile } from "./app/operator-profile.js";
import { type HostPort, parseHostList, type RedisTarget } from "./redis/connection.js";

/** A valid example for each variable, shown when a value is missing or bad. */
const EXAMPLES: Record<string, string> = {
  REDIS_URL: "redis://127.0.0.1:6379",
  REDIS_CLUSTER_NODES: "10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379",
  REDIS_SENTINELS: "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379",
  REDIS_SENTINEL_NAME: "mymaster",
  REDIS_TLS: "true",
  REDIS_TLS_CA_FILE: "/etc/ssl/redis/ca.pem",
  TELEGRAM_BOT_TOKEN: "123456789:AAExampleTokenFromBotFather",
  TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
  BOT_MODE: "polling",
  VK_GROUP_TOKEN: "vk1.a.ExampleCommunityToken",
  VK_GROUP_ID: "123456789",
  VK_API_BASE_URL: "https://api.vk.com/method",
  VK_MODE: "longpoll",
  VK_CALLBACK_CONFIRMATION: "1a2b3c4d",
  VK_CALLBACK_SECRET: "a-long-random-string",
  AGENT_CHAT_ID: "-1001234567890",
  PORT: "8080",
  HOST: "0.0.0.0",
  METRICS_PORT: "9464",
  METRICS_HOST: "127.0.0.1",
  CHANNEL_FAULT_EXIT_MS: "30000",
  WEBHOOK_URL: "https://bot.example.com",
  WEBHOOK_SECRET: "a-long-random-string_1",
  LOG_LEVEL: "info",
  IDLE_MINUTES: "30",
  DEFAULT_LOCALE: "ru",
  FLOOD_MAX: "20",
  FLOOD_WINDOW_SECONDS: "10",
  LOCK_LEASE_MS: "30000",
  WORK_HOURS: "Mon-Fri 09:00-18:00",
  OPERATOR_PROFILE: "/etc/support-bot/profile.json",
  WORK_TZ: "Europe/Moscow",
  NEGLECT_MINUTES: "10",
  DESK_STALLED_MS: "30000",
  HANDOFF_RETENTION_DAYS: "30",
  DESK_LOCALE: "ru",
  DESK_TEMPLATES_FILE: "/etc/support-bot/templates.json",
  SHUTDOWN_TIMEOUT_MS: "10000",
};

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const httpUrl = z
  .url({ protocol: /^https?$/ })
  .transform((u) => u.replace(/\/+$/, ""))
  .optional();

const EnvSchema = z
  .object({
    NODE_ENV: z.string().default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Redis: exactly one of the three topologies (checked below); a password and TLS in each.
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_CLUSTER_NODES: optionalString,
    REDIS_SENTINELS: optionalString,
    REDIS_SENTINEL_NAME: optionalString,
    REDIS_SENTINEL_PASSWORD: optionalString,
    REDIS_USERNAME: optionalString,
    REDIS_PASSWORD: optionalString,
    REDIS_TLS: z
      .enum(["true", "false", "1", "0", "yes", "no", ""])
      .transform((v) => v === "true" || v === "1" || v === "yes")
      .optional(),
    REDIS_TLS_CA_FILE: optionalString,
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{10,}$/, "must look like <digits>:<letters> as BotFather gives it")
      .optional(),
    TELEGRAM_API_ROOT: httpUrl,
    BOT_MODE: z.enum(["polling", "webhook"]).default("polling"),
    VK_GROUP_TOKEN: z.string().min(10).optional(),
    VK_GROUP_ID: z.coerce.number().int().positive().optional(),
    VK_API_BASE_URL: httpUrl,
    VK_MODE: z.enum(["longpoll", "callback"]).default("longpoll"),
    VK_CALLBACK_CONFIRMATION: optionalString,
    VK_CALLBACK_SECRET: optionalString,
    AGENT_CHAT_ID: z.coerce
      .number()
      .int()
      .refine((n) => n < 0, "must be the supergroup's negative id")
      .optional(),
    PORT: int(8080, 0, 65535),
    /** Interface of the public server (webhooks, probes). */
    HOST: z.string().trim().min(1).default("0.0.0.0"),
    /** When set, /metrics is served only here, on METRICS_HOST, and not on the public PORT. */
    METRICS_PORT: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(65535).optional(),
    ),
    METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),
    /** How long a channel may stay deaf (revoked token, 409) before the process exits non-zero. */
    CHANNEL_FAULT_EXIT_MS: int(30_000, 0, 600_000),
    WEBHOOK_URL: httpUrl,
    WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
      .optional(),
    IDLE_MINUTES: int(30, 1, 7 * 24 * 60),
    DEFAULT_LOCALE: z.enum(["ru", "en"]).default("ru"),
    FLOOD_MAX: int(20, 0, 10_000),
    FLOOD_WINDOW_SECONDS: int(10, 1, 3600),
    LOCK_LEASE_MS: int(30_000, 1000, 600_000),
    WORK_HOURS: optionalString,
    OPERATOR_PROFILE: optionalString,
    WORK_TZ: z.string().default("Europe/Moscow"),
    NEGLECT_MINUTES: int(10, 1, 24 * 60),
    DESK_STALLED_MS: int(30_000, 500, 600_000),
    /** Days a closed handoff's record (topic ↔ conversation) is kept in Redis. */
    HANDOFF_RETENTION_DAYS: int(30, 1, 3650),
    /** The language of the agents' desk. */
    DESK_LOCALE: z.enum(["ru", "en"]).default("ru"),
    /** A file of canned replies for /t (JSON: key → text); the built-in ones when unset. */
    DESK_TEMPLATES_FILE: optionalString,
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),
  })
  .superRefine((env, ctx) => {
    const need = (variable: string, when: string) =>
      ctx.addIssue({ code: "custom", path: [variable], message: `is required ${when}` });
    checkRedis(env, (variable, message) => ctx.addIssue({ code: "custom", path: [variable], message }));
    if (env.VK_GROUP_TOKEN && !env.VK_GROUP_ID) need("VK_GROUP_ID", "when VK_GROUP_TOKEN is set");
    if (env.VK_GROUP_ID && !env.VK_GROUP_TOKEN) need("VK_GROUP_TOKEN", "when VK_GROUP_ID is set");
    const webhook = env.TELEGRAM_BOT_TOKEN && env.BOT_MODE === "webhook";
    const callback = env.VK_GROUP_TOKEN && env.VK_MODE === "callback";
    if (webhook && !env.WEBHOOK_URL) need("WEBHOOK_URL", "when BOT_MODE=webhook");
    if (webhook && !env.WEBHOOK_SECRET) need("WEBHOOK_SECRET", "when BOT_MODE=webhook");
    if (callback && !env.VK_CALLBACK_CONFIRMATION) need("VK_CALLBACK_CONFIRMATION", "when VK_MODE=callback");
    if (callback && !env.VK_CALLBACK_SECRET) need("VK_CALLBACK_SECRET", "when VK_MODE=callback");
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT)
      ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: "must differ from PORT" });
    if (env.AGENT_CHAT_ID && !env.TELEGRAM_BOT_TOKEN)
      need("TELEGRAM_BOT_TOKEN", "for the agent desk (AGENT_CHAT_ID)");
  });

type RedisEnv = {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: boolean | undefined;
  REDIS_TLS_CA_FILE?: string | undefined;
};

const TOPOLOGIES = ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const;

/** The Redis rules zod's per-field checks cannot express; each problem names its variable. */
function checkRedis(env: RedisEnv, problem: (variable: string, message: string) => void): void {
  const set = TOPOLOGIES.filter((name) => env[name]);
  const [first, ...others] = set;
  if (first && others.length > 0)
    problem(
      first,
      `is set together with ${others.join(" and ")}: set exactly one of ${TOPOLOGIES.join(", ")}`,
    );
  for (const list of ["REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const) {
    const raw = env[list];
    if (!raw) continue;
    try {
      if (parseHostList(raw).length === 0) problem(list, "lists no host:port");
    } catch (err) {
      problem(list, (err as Error).message);
    }
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    problem(
      "REDIS_SENTINEL_NAME",
      "is required when REDIS_SENTINELS is set (the primary's name in the Sentinels)",
    );
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS)
    problem("REDIS_SENTINELS", "is required when REDIS_SENTINEL_NAME is set");
  if (env.REDIS_URL && env.REDIS_PASSWORD && new URL(env.REDIS_URL).password)
    problem("REDIS_PASSWORD", "is set and REDIS_URL carries a password too: give it in one place");
  const tls = env.REDIS_TLS || env.REDIS_URL?.startsWith("rediss:");
  if (env.REDIS_TLS_CA_FILE && !tls)
    problem("REDIS_TLS_CA_FILE", "is set but TLS is off: set REDIS_TLS=true (or use a rediss:// URL)");
}

/** Where Redis is, from validated variables: one topology, with the password and TLS of any of them. */
function redisTarget(
  env: RedisEnv & { REDIS_USERNAME?: string; REDIS_SENTINEL_PASSWORD?: string },
): RedisTarget {
  const tlsOn = Boolean(env.REDIS_TLS || env.REDIS_URL?.startsWith("rediss:"));
  const auth = {
    ...(env.REDIS_USERNAME ? { username: env.REDIS_USERNAME } : {}),
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    ...(tlsOn ? { tls: env.REDIS_TLS_CA_FILE ? { caFile: env.REDIS_TLS_CA_FILE } : {} } : {}),
  };
  const hosts = (list: string): HostPort[] => parseHostList(list);
  if (env.REDIS_CLUSTER_NODES) return { kind: "cluster", nodes: hosts(env.REDIS_CLUSTER_NODES), ...auth };
  if (env.REDIS_SENTINELS)
    return {
      kind: "sentinel",
      sentinels: hosts(env.REDIS_SENTINELS),
      name: env.REDIS_SENTINEL_NAME ?? "",
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
      ...auth,
    };
  return { kind: "single", url: env.REDIS_URL ?? "redis://127.0.0.1:6379", ...auth };
}

/** The validated configuration. */
export type Config = z.output<typeof EnvSchema> & {
  /** Where Redis is: a single Redis (REDIS_URL or the default), a Cluster, or Sentinels. */
  redis: RedisTarget;
  /** True when no Redis variable was given (the playground may start its own Redis). */
  redisUrlDefaulted: boolean;
  /** The single Redis's URL (the default when none is set; the playground's only topology). */
  redisUrl: string;
  /** Which channels start. */
  channels: { telegram: boolean; vk: boolean; desk: boolean };
  /** The operator's profile (contacts, hours, text overrides); empty without OPERATOR_PROFILE. */
  profile: OperatorProfile;
  /** Working hours: WORK_HOURS, else the profile's `hours`; unset means always open. */
  workHours: { spec: string; timeZone: string } | undefined;
};

/** One problem with one variable. */
export interface ConfigProblem {
  variable: string;
  problem: string;
  example: string | undefined;
}

/** The environment is missing a variable or has a bad value; the message lists each with an example. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Configuration is not valid:\n${problems
        .map(
          (p) => `  - ${p.variable} ${p.problem}${p.example ? ` (example: ${p.variable}=${p.example})` : ""}`,
        )
        .join("\n")}\nSee the environment table in README.md.`,
    );
  }
}

/**
 * Reads and validates the configuration from an environment (process.env by default). Throws
 * `ConfigError` naming every bad variable with a valid example.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      const raw = env[variable];
      const problem =
        raw === undefined || raw === ""
          ? `is missing or empty: ${issue.message}`
          : `is not valid: ${issue.message}`;
      return { variable, problem, example: EXAMPLES[variable] };
    });
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  let profile: OperatorProfile = {};
  if (c.OPERATOR_PROFILE) {
    try {
      profile = readOperatorProfile(c.OPERATOR_PROFILE);
    } catch (err) {
      if (!(err instanceof OperatorProfileError)) throw err;
      throw new ConfigError([
        {
          variable: "OPERATOR_PROFILE",
          problem: `is not valid: ${err.message}`,
          example: EXAMPLES.OPERATOR_PROFILE,
        },
      ]);
    }
  }
  const hoursSpec = c.WORK_HOURS ?? profile.hours;
  return {
    ...c,
    profile,
    workHours: hoursSpec
      ? { spec: hoursSpec, timeZone: c.WORK_HOURS ? c.WORK_TZ : (profile.timeZone ?? c.WORK_TZ) }
      : undefined,
    redis: redisTarget(c),
    redisUrlDefaulted: !c.REDIS_URL && !c.REDIS_CLUSTER_NODES && !c.REDIS_SENTINELS,
    redisUrl: c.REDIS_URL ?? "redis://127.0.0.1:6379",
    channels: {
      telegram: Boolean(c.TELEGRAM_BOT_TOKEN),
      vk: Boolean(c.VK_GROUP_TOKEN),
      desk: Boolean(c.TELEGRAM_BOT_TOKEN && c.AGENT_CHAT_ID),
    },
  };
}
