-- People a user knows and who may reach them (issue 18). Keep in step with
-- ../sqlite/0003_people.sql.

-- Privacy settings live on the user row: every call start and presence fan-out reads them.
ALTER TABLE users
    ADD COLUMN who_can_call         VARCHAR(16) NOT NULL DEFAULT 'everyone',
    ADD COLUMN presence_visible_to  VARCHAR(16) NOT NULL DEFAULT 'everyone',
    ADD COLUMN do_not_disturb       INT         NOT NULL DEFAULT 0,
    ADD COLUMN do_not_disturb_until BIGINT      NULL;
CREATE INDEX users_by_dnd_until ON users (do_not_disturb, do_not_disturb_until);

-- A call the receiver never learns about (the caller is blocked, or not allowed to ring them):
-- every receiver-side query leaves it out.
ALTER TABLE calls ADD COLUMN screened INT NOT NULL DEFAULT 0;

CREATE TABLE contacts (
    owner_id     BIGINT NOT NULL,
    contact_id   BIGINT NOT NULL,
    is_favourite INT    NOT NULL DEFAULT 0,
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (owner_id, contact_id),
    CONSTRAINT contacts_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id),
    CONSTRAINT contacts_contact_fk FOREIGN KEY (contact_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE blocks (
    blocker_id BIGINT NOT NULL,
    blocked_id BIGINT NOT NULL,
    blocked_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT blocks_blocker_fk FOREIGN KEY (blocker_id) REFERENCES users (id),
    CONSTRAINT blocks_blocked_fk FOREIGN KEY (blocked_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
