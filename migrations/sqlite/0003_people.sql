-- People a user knows and who may reach them (issue 18). Keep in step with
-- ../mysql/0003_people.sql.

-- Privacy settings live on the user row: every call start and presence fan-out reads them.
ALTER TABLE users ADD COLUMN who_can_call TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE users ADD COLUMN presence_visible_to TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE users ADD COLUMN do_not_disturb INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN do_not_disturb_until INTEGER NULL;
CREATE INDEX users_by_dnd_until ON users (do_not_disturb, do_not_disturb_until);

-- A call the receiver never learns about (the caller is blocked, or not allowed to ring them):
-- every receiver-side query leaves it out.
ALTER TABLE calls ADD COLUMN screened INTEGER NOT NULL DEFAULT 0;

CREATE TABLE contacts (
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    contact_id   INTEGER NOT NULL REFERENCES users (id),
    is_favourite INTEGER NOT NULL DEFAULT 0,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (owner_id, contact_id)
);

CREATE TABLE blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id),
    blocked_id INTEGER NOT NULL REFERENCES users (id),
    blocked_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
