//! The command line of the e2e runner.

xflags::xflags! {
    /// Prove generated projects work end to end. Default: the representative set.
    cmd e2e {
        /// Only cases with this database (sqlite, postgres, mysql, neon, supabase, turso).
        optional --database database: String
        /// Only cases with this architecture (monolithic, separate).
        optional --architecture architecture: String
        /// Only cases with this backend (fastapi, express, axum).
        optional --backend backend: String
        /// Every architecture × backend × database combination instead of the representative set.
        optional --all
        /// Skip cases on this database (repeatable); otherwise a database without a provider fails the run.
        repeated --skip-database database: String
        /// Also drive each selected case in headless Chromium (the default run does this for the cases it
        /// gives flows: its first, and its first monolithic one).
        optional --browser
        /// The projects' auth flows (as `cargo xtask new --auth-flows`; default reset). In the browser, the
        /// email flows among them (reset, verification) are followed through the mail folder, and github,
        /// google and oidc through their sign-in buttons (oidc against a local OpenID Connect provider).
        optional --auth-flows flows: String
        /// Only the `cargo xtask add` case (a create-next-app@16 app, monolithic, SQLite); the default run
        /// includes it (npm).
        optional --add
        /// With --add: the package manager create-next-app and `add` use, npm (default) or pnpm
        /// (`cargo xtask e2e --add --package-manager pnpm`, which also proves that the app's `cargo xtask
        /// setup`, `test` and `dev` run pnpm; pnpm 10 must be on PATH, as .ci/run installs it).
        optional --package-manager manager: String
        /// Only the `cargo xtask add` case with an existing backend beside the create-next-app app: fastapi (an
        /// app laid out as FastAPI's guide shows) or express (Express's "Hello world" app, CommonJS). The
        /// default run includes both.
        optional --add-backend backend: String
    }
}
