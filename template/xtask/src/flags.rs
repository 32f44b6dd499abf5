//! The command line, described once; `xflags` derives parsing and `--help` from it. `[separate: …]`
//! marks what only a project with a backend has: `help.rs` renders it per variant.

xflags::xflags! {
    /// This project's automation. Run `cargo xtask <command> --help` for details.
    cmd xtask {
        /// Check prerequisites, write the secret, install dependencies, create the database, migrate and
        /// verify. Safe to re-run: nothing already done is done again.
        cmd setup {
            /// Skip the dependency installs: `npm`[separate: and the backend's ({backend_tool})] (already present).
            optional --no-install
        }
        /// Create or update Better Auth's tables with the pinned `auth` CLI (`auth migrate --yes`).
        cmd migrate {}
        /// Compare the live database schema with what the installed Better Auth expects.
        cmd verify {
            /// Print the report as JSON.
            optional --json
        }
        /// Diagnose the classic Better Auth failures without changing anything.
        cmd doctor {
            /// Print the findings as JSON.
            optional --json
            /// Fail on warnings too, not only on errors.
            optional --strict
        }
        /// Manage BETTER_AUTH_SECRET.
        cmd secret {
            /// Make a new random secret current; the previous ones stay in BETTER_AUTH_SECRETS so stored
            /// keys still decrypt.
            cmd rotate {}
        }
        /// Start the frontend[separate: and the backend] with prefixed logs; Ctrl-C stops
        /// [separate:both][monolithic:it].
        cmd dev {
            /// [separate:Start only one app: `frontend` or `backend`.]
            optional --only app: String
        }
        /// Run the project's own tests: the frontend's type-check[separate:, the backend's tests].
        cmd test {}
        /// Move better-auth and its `auth` CLI to a newer release together: shows the schema change as SQL
        /// first, backs up a SQLite database, migrates and verifies; restores the package files on failure.
        cmd upgrade {
            /// The release to move to (default: picked at a prompt, the newest on the npm registry or the one
            /// this template was tested with).
            optional --to version: String
            /// Show the versions and the SQL, then restore everything and stop.
            optional --dry-run
            /// Do not ask (the newest release; no backup question for a database server). A required column
            /// on a table with rows still needs its value for those rows, typed in a terminal.
            optional -y, --yes
        }
    }
}
