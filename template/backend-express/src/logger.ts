// The app writes through this logger, so tests can capture the output and check nothing sensitive leaks.
// LOG_LEVEL picks the least severe level written: debug adds why each token was refused.

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function consoleLogger(level: LogLevel = "info"): Logger {
  const enabled = (wanted: LogLevel) => LOG_LEVELS.indexOf(wanted) >= LOG_LEVELS.indexOf(level);
  const ignore = () => {};
  return {
    debug: enabled("debug") ? (message) => console.debug(message) : ignore,
    info: enabled("info") ? (message) => console.info(message) : ignore,
    warn: enabled("warn") ? (message) => console.warn(message) : ignore,
    error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
  };
}
