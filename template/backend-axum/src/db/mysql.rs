//! MySQL / MariaDB. No `RETURNING` and no timezone-aware type: `DATETIME(3)` holds UTC,
//! converted from and to RFC 3339 text in SQL so no date crate is compiled in.

pub const CREATE_SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS note (
        id VARCHAR(36) PRIMARY KEY,
        user_id VARCHAR(255) NOT NULL,
        text TEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        INDEX note_user_id_idx (user_id)
    ) CHARACTER SET utf8mb4"];
pub const INSERT_NOTE: &str = "INSERT INTO note (id, user_id, text, created_at) \
     VALUES (?, ?, ?, STR_TO_DATE(?, '%Y-%m-%dT%H:%i:%s.%fZ'))";
pub const LIST_NOTES: &str = "SELECT id, text, \
     CONCAT(DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.'), \
            LPAD(MICROSECOND(created_at) DIV 1000, 3, '0'), 'Z') \
     FROM note WHERE user_id = ? ORDER BY created_at DESC, id DESC";
pub const DELETE_NOTE: &str = "DELETE FROM note WHERE id = ? AND user_id = ?";
