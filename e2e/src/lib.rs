//! The end-to-end machinery: a case's steps, its database, its servers, the HTTP a browser would send.
//! A library so that `bench` measures exactly what `e2e` proves.

pub mod add_backend_case;
pub mod add_case;
pub mod browser;
pub mod case;
pub mod containers;
pub mod database;
pub mod flags;
pub mod http;
pub mod latest;
pub mod neon_proxy;
pub mod oidc;
pub mod server;
pub mod social;
pub mod summary;
