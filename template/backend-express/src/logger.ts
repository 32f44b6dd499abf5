// The app writes through this logger, so tests can capture the output and check nothing sensitive leaks.
// LOG_LEVEL picks the least severe level written: debug adds why each token was refused.
//
// debug and info lines (one per request) go to stdout together, once per turn of the event loop, rather than
// one write (a system call) per line. warn and error go to stderr at once, after the lines still pending;
// pending lines are written before the process exits.
import { format } from "node:util";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Where the text goes: stdout and stderr, or a test's capture. */
export interface LogOutput {
  out(text: string): void;
  err(text: string): void;
}

const stdio: LogOutput = {
  // Synchronous for files and pipes on Linux and macOS, so nothing is lost at exit.
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Loggers with lines not yet written, so the process writes them as it exits. */
const unwritten = new Set<() => void>();
process.on("exit", () => unwritten.forEach((writePending) => writePending()));

export function consoleLogger(level: LogLevel = "info", output: LogOutput = stdio): Logger {
  const pending: string[] = [];
  const writePending = () => {
    if (pending.length === 0) return;
    output.out(pending.join(""));
    pending.length = 0;
    unwritten.delete(writePending);
  };
  const writeSoon = (message: string) => {
    if (pending.length === 0) {
      setImmediate(writePending);
      unwritten.add(writePending);
    }
    pending.push(`${message}\n`);
  };
  const writeNow = (text: string) => {
    writePending();
    output.err(`${text}\n`);
  };
  const enabled = (wanted: LogLevel) => LOG_LEVELS.indexOf(wanted) >= LOG_LEVELS.indexOf(level);
  const ignore = () => {};
  return {
    debug: enabled("debug") ? writeSoon : ignore,
    info: enabled("info") ? writeSoon : ignore,
    warn: enabled("warn") ? writeNow : ignore,
    error: (message, error) => writeNow(error === undefined ? message : format(message, error)),
  };
}
