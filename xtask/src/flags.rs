//! The command line, described once; `xflags` derives parsing and `--help` from it.

use std::path::PathBuf;

xflags::xflags! {
    /// Maintainers' automation for the better-auth-v2 template.
    cmd xtask {
        /// Generate a project from this template (the same output as `cargo generate --path .`), then run
        /// its `cargo xtask setup`.
        cmd new {
            /// Name of the project; it is created as DEST/<name>.
            required name: String
            /// monolithic (Next.js holds the session) or separate (Next.js issues JWTs for a backend).
            optional --architecture architecture: String
            /// fastapi, express or axum (separate only).
            optional --backend backend: String
            /// sqlite (default), postgres, mysql, neon, supabase or turso.
            optional --database database: String
            /// The Next.js app's URL (default http://localhost:3000).
            optional --frontend-url url: String
            /// The backend's URL (default http://localhost:8000; separate only).
            optional --backend-url url: String
            /// The database URL (default: one per database).
            optional --database-url url: String
            /// Optional flows, comma-separated: verification, reset, github, google, oidc (default reset;
            /// none for none).
            optional --auth-flows flows: String
            /// Folder to create the project in (default: the current directory).
            optional --dest dir: PathBuf
            /// Do not run the new project's `cargo xtask setup`.
            optional --no-setup
            /// Do not ask for confirmation.
            optional -y, --yes
        }
        /// Add Better Auth to an existing Next.js App Router app: detect its layout, package manager, database
        /// and a FastAPI/Express backend beside it (asking for what is missing when a terminal is attached),
        /// show the plan as a diff, apply it (undone on failure), then set it up like a new project (secret,
        /// install, migrate, verify) with the project automation it writes.
        cmd add {
            /// The Next.js app's folder (the one with package.json).
            required app_dir: PathBuf
            /// monolithic or separate (default: separate when a backend is found beside the app).
            optional --architecture architecture: String
            /// fastapi or express: the kind of the existing backend (separate only).
            optional --backend backend: String
            /// The existing backend's folder (default: looked for among the app's sibling folders).
            optional --backend-dir dir: PathBuf
            /// sqlite, postgres, mysql, neon, supabase or turso (default: from DATABASE_URL, else sqlite).
            optional --database database: String
            /// The database URL (default: the app's DATABASE_URL, else one per database).
            optional --database-url url: String
            /// Optional flows, comma-separated: verification, reset, github, google, oidc (default reset;
            /// none for none).
            optional --auth-flows flows: String
            /// Print the plan as a unified diff and change nothing.
            optional --dry-run
            /// Do not ask for confirmation.
            optional -y, --yes
            /// Run even when the app's git work tree has uncommitted changes.
            optional --allow-dirty
            /// Do not write better-auth.toml and the project's xtask/ (setup then runs without them: secret,
            /// install, migrate).
            optional --no-xtask
        }
        /// End-to-end proof: generate, set up, run Next.js + backend + database, check 200 vs 401.
        /// Default: the representative set. Runs the `e2e` crate's binary.
        cmd e2e {
            /// Only cases with this database.
            optional --database database: String
            /// Only cases with this architecture.
            optional --architecture architecture: String
            /// Only cases with this backend.
            optional --backend backend: String
            /// Every combination instead of the representative set.
            optional --all
            /// Skip cases on this database (repeatable).
            repeated --skip-database database: String
            /// Also drive each selected case in headless Chromium (the default run does this for the cases it
            /// gives flows: its first, and its first monolithic one).
            optional --browser
            /// The projects' auth flows (as `new --auth-flows`; default reset); the browser case follows
            /// the email flows among them.
            optional --auth-flows flows: String
            /// Only the `cargo xtask add` case (a create-next-app@16 app, monolithic, SQLite); the default run
            /// includes it (npm).
            optional --add
            /// With --add: the package manager create-next-app and `add` use, npm (default) or pnpm
            /// (`cargo xtask e2e --add --package-manager pnpm`; it also proves the app's `cargo xtask setup`,
            /// `test` and `dev` run pnpm; pnpm 10 must be on PATH, as .ci/run installs it).
            optional --package-manager manager: String
            /// Only the `cargo xtask add` case with an existing backend beside the app: fastapi or
            /// express. The default run includes both.
            optional --add-backend backend: String
        }
        /// A private Docker engine (Debian's dockerd, data and socket under $BETTER_AUTH_V2_CACHE/docker) and
        /// the e2e database images built from Debian packages, for testcontainers without an image registry.
        cmd engine {
            /// Start dockerd (or reuse the one started earlier); prints one line, `export DOCKER_HOST=...`,
            /// for `eval "$(cargo xtask engine start)"`. Installs nothing.
            cmd start {}
            /// Whether the engine answers, its testcontainers containers and the local images' state.
            cmd status {}
            /// Remove the testcontainers containers and stop the engine; the images stay cached.
            cmd stop {}
            /// Build better-auth-v2/postgres:15 and better-auth-v2/mariadb:10.11 from Debian packages
            /// (debootstrap base); an image whose recipe did not change is kept.
            cmd images {}
        }
        /// Measure time to a working project and what authentication costs each backend, beside the usual
        /// setup of its stack's JWT library (bench/peers/; release build of the `bench` crate); writes
        /// bench/results.json and BENCHMARKS.md.
        cmd bench {
            /// Only this part (repeatable): generation, first-200, cold-start, auth, auth-instructions,
            /// token-reuse. Default: all six.
            repeated --only part: String
            /// With the auth parts: only this backend (repeatable): fastapi, express, axum. Default: all three.
            repeated --backend backend: String
            /// Repetitions of each figure (default 3).
            optional --runs n: usize
            /// Seconds of load per measurement in the auth part (default 5).
            optional --duration seconds: u32
            /// Write results.json and BENCHMARKS.md into this folder instead of bench/ and the repository root.
            optional --out dir: PathBuf
        }
        /// Refresh the lockfile of every package variant a project can have: the frontend's and the Express
        /// backend's package-lock.json (npm), the FastAPI backend's uv.lock (uv), the project's Cargo.lock
        /// (cargo, from this repository's Cargo.lock), each brought in line with its manifest, keeping the
        /// locked versions that still fit. Needs the npm registry, PyPI and crates.io.
        cmd lockfiles {
            /// Only this package's lockfiles (repeatable): frontend, express, fastapi, cargo. Default: all.
            repeated --package package: String
        }
        /// The e2e set on the newest releases (better-auth, auth, next, the drivers, the backends' libraries)
        /// instead of the locked ones; ends with a one-screen report: what moved, which case failed, the first
        /// error. Needs the registries. Default: the representative set.
        cmd canary {
            /// Only cases with this database (sqlite, postgres, mysql, neon, supabase, turso).
            optional --database database: String
            /// Only cases with this architecture (monolithic, separate).
            optional --architecture architecture: String
            /// Only cases with this backend (fastapi, express, axum).
            optional --backend backend: String
            /// Every combination instead of the representative set.
            optional --all
        }
        /// Write template/conformance/jwt-cases.json: the cases every separate backend's tests run (tokens
        /// signed with fixed keys, so the output is the same every time).
        cmd conformance {}
        /// Render every valid combination into a temp dir and check the template's invariants.
        cmd verify {
            /// Also type-check every frontend variant, `next build` one per architecture, and install and check
            /// every backend variant.
            optional --build
            /// With --build: `next build` every frontend variant.
            optional --full
            /// Keep the rendered projects and print where they are.
            optional --keep
        }
    }
}
