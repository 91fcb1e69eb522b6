-- Uploaded workbooks kept between their preview and their confirmation
-- (offline templates, plan workbooks), keyed by the user and the file's
-- SHA-256, for an hour: the confirmation names the file instead of posting
-- it again. Shared by every instance, like the evidence files.
CREATE TABLE pending_uploads (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('values', 'updates', 'plan')),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    file_name  TEXT NOT NULL DEFAULT '',
    content    BLOB NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (user_id, kind, sha256)
);
CREATE INDEX pending_uploads_created_idx ON pending_uploads (created_at);
