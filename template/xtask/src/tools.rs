//! The external programs the commands drive (Node, npm, Python, uv, cargo), found or installed.

pub mod cargo;
pub mod node;
pub mod python;
